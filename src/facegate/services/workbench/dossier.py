"""The Art. 15 filing dossier: the five statutory parts as PDF and JSON, and form placeholders, in one zip (M-15.4)."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections.abc import Callable
from datetime import date
from typing import Any

from facegate.domain.filing import FILING_THRESHOLD
from facegate.domain.model import Deployment
from facegate.domain.pia import CONTROLS
from facegate.errors import FacegateError, NotFound
from facegate.governance.manifest import Manifest, purpose_label
from facegate.governance.notice import build_notice
from facegate.services.context import ServiceContext
from facegate.services.workbench import assessment, filing
from facegate.services.workbench.deps import WorkbenchDeps

# Placeholders for the 填报说明 forms the processor signs and attaches by hand (M-15.4).
FORMS = (
    ("basic_information_form", "人脸识别技术应用备案基本情况表", "Basic information form"),
    ("filing_form", "人脸识别技术应用备案表", "Filing form"),
    ("commitment_letter", "承诺书", "Letter of commitment"),
    ("identity_documents", "法定代表人及经办人身份证件", "ID documents of the legal representative and the agent"),
    ("power_of_attorney", "授权委托书", "Power of attorney"),
    ("credit_code_certificate", "统一社会信用代码证明", "Unified social credit code certificate"),
)

# Standing operating procedures the service itself enforces, with the requirement each rests on.
PROCEDURES = (
    ("M-5.1", "处理前以显著方式告知，告知内容变更时重新告知。", "Notice before processing; notify again when it changes."),
    ("M-6.1", "取得个人单独同意，可随时撤回，撤回后立即删除相应模板。", "Separate consent, withdrawable at any time; templates deleted at once."),
    ("M-10.1", "同一地点提供非人脸识别替代方式，拒绝刷脸不影响服务。", "A non-face alternative at the same point; refusing face does not deny service."),
    ("M-8.5", "超过保存期限的人脸信息自动删除并留存删除记录。", "Face data past its retention is deleted automatically, with a deletion log."),
    ("M-9.3", "处理情况记录自动生成、哈希链防篡改、保存至少3年。", "Processing records generated automatically, hash-chained, kept 3 years."),
    ("M-14.6", "安全事件分级处置，重大事件通知监管部门和个人并重新评估。", "Incidents are classified; major ones are notified and trigger reassessment."),
    ("P-50", "个人请求和投诉按期答复并记录。", "Requests and complaints are answered on time and recorded."),
)


def _deployment_parts(d: Deployment) -> dict[str, Any]:
    m = Manifest.model_validate(d.manifest)
    sec = {k: bool(getattr(m.security, k) and getattr(m.security, k).enabled) for k in CONTROLS}
    notice = build_notice(m)
    return {
        "id": d.id, "name": {"zh": m.name.zh, "en": m.name.en}, "status": d.status.value,
        "address": m.scenario.address, "venue_type": m.scenario.venue_type.value,
        "purposes": [{"code": p.code, "zh": purpose_label(p)[0], "en": purpose_label(p)[1],
                      "necessity": {"zh": p.necessity.zh, "en": p.necessity.en}} for p in m.purposes],
        "method": {"mode": m.method.mode.value, "locality": m.method.locality.value, "engine": m.method.engine,
                   "vendor": m.method.vendor, "face_data_types": [t.value for t in m.face_data_types],
                   "retention_days": m.retention.days, "internet_transmission": m.storage.internet_transmission},
        "security": {**sec, "mlps_level": m.security.mlps_level, "is_cii": m.security.is_cii},
        "notice": {"version": notice.version,
                   "zh": [{"heading": s.heading, "body": s.body} for s in notice.zh.sections],
                   "en": [{"heading": s.heading, "body": s.body} for s in notice.en.sections]},
    }


def dossier_data(ctx: ServiceContext, deps: WorkbenchDeps, processor_id: str, today: date) -> dict[str, Any]:
    """Everything in the dossier as plain JSON-able values (the machine-readable part)."""
    with ctx.store.transaction(readonly=True) as tx:
        proc = tx.deployments.get_processor(processor_id)
        deployments = [d for d in tx.deployments.all() if d.processor_id == processor_id]
        incidents = tx.workbench.list_incidents(processor_id)
    if proc is None or not deployments:
        raise NotFound("processor_unknown", f"No processor {processor_id!r} with deployments.", "没有该处理者或其部署。")
    parts = [_deployment_parts(d) for d in deployments if d.manifest]
    v = filing.view(ctx, deps, processor_id, today)
    return {
        "processor": {"id": proc.id, "name": proc.name, "uscc": proc.uscc, "contact": proc.contact,
                      "name_en": proc.name_en},
        "generated_on": today.isoformat(),
        "purposes_and_methods": parts,
        "stored_count": {"count": v.count, "threshold": FILING_THRESHOLD, "as_of": today.isoformat(),
                         "threshold_reached_on": v.status.threshold_reached_on.isoformat()
                         if v.status and v.status.threshold_reached_on else None,
                         "series": [{"day": d.isoformat(), "count": n} for d, n in v.series[-60:]]},
        "security_measures": {p["id"]: p["security"] for p in parts},
        "incidents": [{"occurred_at": i.occurred_at.isoformat(), "is_major": i.is_major, "summary": i.summary,
                       "deployment_id": i.deployment_id} for i in incidents],
        "processing_rules": {p["id"]: p["notice"] for p in parts},
        "operating_procedures": [{"requirement_id": r, "zh": zh, "en": en} for r, zh, en in PROCEDURES],
        "forms": [{"code": c, "zh": zh, "en": en, "status": "to_be_completed"} for c, zh, en in FORMS],
    }


def _sections(data: dict[str, Any], key: str) -> tuple[str, str, list[dict[str, Any]]]:
    p = data["processor"]
    if key == "basic":
        return "个人信息处理者基本情况", "Personal information handler: basic information", [{
            "heading": "处理者 / Handler", "rows": [("名称", "Name", p["name"]), ("英文名称", "Name (en)", p["name_en"]),
                                                   ("统一社会信用代码", "Unified social credit code", p["uscc"]),
                                                   ("联系方式", "Contact", p["contact"])]}]
    if key == "purposes":
        return "处理人脸信息的目的和方式", "Purposes and methods of processing face data", [{
            "heading": f"{d['name']['zh']} / {d['name']['en']} ({d['id']})",
            "rows": [("目的", "Purposes", "；".join(f"{x['zh']} / {x['en']}" for x in d["purposes"])),
                     *[(k, k, str(val)) for k, val in d["method"].items()], ("地址", "Address", d["address"])]}
            for d in data["purposes_and_methods"]]
    if key == "count_security":
        c = data["stored_count"]
        return "存储人脸信息数量和安全保护措施", "Stored quantity and security measures", [
            {"heading": "存储数量 / Stored people", "rows": [("人数", "People", f"{c['count']:,}"),
                                                          ("统计日期", "As of", c["as_of"]),
                                                          ("达到10万人日期", "Reached 100,000 on", str(c["threshold_reached_on"] or "—"))]},
            *[{"heading": f"安全措施 / Security: {dep}", "rows": [(k, k, str(val)) for k, val in sec.items()]}
              for dep, sec in data["security_measures"].items()]]
    return "人脸信息处理规则和操作规程", "Processing rules and operating procedures", [
        *[{"heading": f"告知规则 / Notice: {dep}",
           "text": [f"{s['heading']}：{s['body']}" for s in n["zh"]] + [f"{s['heading']}: {s['body']}" for s in n["en"]]}
          for dep, n in data["processing_rules"].items()],
        {"heading": "操作规程 / Operating procedures",
         "rows": [(r["requirement_id"], r["requirement_id"], f"{r['zh']} {r['en']}") for r in data["operating_procedures"]]}]


PART_KEYS = {"basic": ("processor",), "purposes": ("purposes_and_methods",),
             "count_security": ("stored_count", "security_measures", "incidents"),
             "rules": ("processing_rules", "operating_procedures")}
PARTS = (("01-processor-basic-info", "basic"), ("02-purposes-and-methods", "purposes"),
         ("03-stored-count-and-security", "count_security"), ("04-processing-rules-and-procedures", "rules"))


def build(ctx: ServiceContext, deps: WorkbenchDeps, processor_id: str, today: date | None = None,
          *, actor: str = "console", progress: Callable[[str, int, int | None], None] | None = None) -> bytes:
    """One zip: the five statutory parts (M-15.4) as PDF + JSON, the PIA reports, form placeholders, an index.

    ``progress(step, done, total)`` hears each part and each PIA before it is rendered (the CLI shows it).
    """
    today = today or ctx.clock.now().date()
    data = dossier_data(ctx, deps, processor_id, today)
    total = len(PARTS) + len(data["purposes_and_methods"]) + 1  # the parts, one PIA per deployment, the zip
    report = progress or (lambda step, done, total: None)
    files: dict[str, bytes] = {}
    for i, (name, key) in enumerate(PARTS):
        report(f"rendering {name}", i, total)
        title_zh, title_en, sections = _sections(data, key)
        files[f"{name}.pdf"] = deps.renderer.pdf(deps.renderer.part_html(title_zh, title_en, sections))
        files[f"{name}.json"] = _json({"title": {"zh": title_zh, "en": title_en},
                                       **{k: data[k] for k in PART_KEYS[key]}})
    pias = []
    for i, d in enumerate(data["purposes_and_methods"], len(PARTS)):
        report(f"impact assessment of {d['id']}", i, total)
        try:
            rec = assessment.get(ctx, deps, d["id"])
        except NotFound:
            try:
                rec = assessment.generate(ctx, deps, d["id"], actor=actor)
            except FacegateError:
                pias.append({"deployment_id": d["id"], "status": "missing"})
                continue
        base = f"05-impact-assessment/{d['id']}-v{rec.version}"
        for lang in ("zh", "en"):
            files[f"{base}-{lang}.pdf"] = assessment.render(deps, rec, lang, "pdf")[0]
        files[f"{base}.json"] = _json(rec.document)
        pias.append({"deployment_id": d["id"], "version": rec.version, "status": rec.status, "signed_on":
                     rec.signed_on.isoformat() if rec.signed_on else None, "html_sha256": rec.html_sha256})
    data["impact_assessments"] = pias
    files["dossier.json"] = _json(data)
    files["forms/README.txt"] = "\n".join(f"[ ] {zh} / {en} ({c})" for c, zh, en in FORMS).encode()
    index = {"processor_id": processor_id, "generated_on": today.isoformat(), "requirement_id": "M-15.4",
             "files": {n: hashlib.sha256(b).hexdigest() for n, b in sorted(files.items())}}
    report("writing the zip", total - 1, total)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for n, b in sorted(files.items()):
            z.writestr(n, b)
        z.writestr("index.json", _json(index))
    return buf.getvalue()


def _json(obj: Any) -> bytes:
    return json.dumps(obj, ensure_ascii=False, indent=2, default=str).encode()
