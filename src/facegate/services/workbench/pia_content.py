"""Pure: the impact assessment's text from the manifest and live facts, section by section (M-9.2)."""

from __future__ import annotations

import re

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from facegate.domain.model import Mode, StorageLocality, english_name
from facegate.domain.pia import CONTROLS, THREATS, Measure, PiaData, Reviewer, RiskFacts, Text, ThreatAssessment
from facegate.governance.canonical import content_hash
from facegate.governance.manifest import Manifest, purpose_label
from facegate.governance.rules.base import Finding, Severity
from facegate.governance.vocab import LegalBasisType
from facegate.services.workbench.figures import DeploymentFigures


@dataclass(frozen=True)
class LiveFacts:
    """What the stores say today about one deployment, beside its manifest."""

    findings: tuple[Finding, ...]
    figures: DeploymentFigures
    stored_people: int = 0  # processor-wide, de-duplicated (M-15.1)
    incidents: int = 0
    major_incidents: int = 0


def method_hash(manifest: dict[str, object]) -> str:
    """Hash of the declared purposes and processing method: a change needs a new PIA (M-9.5(a))."""
    m = Manifest.model_validate(manifest)
    return content_hash({
        "purposes": sorted(m.purpose_codes),
        "mode": m.method.mode.value, "locality": m.method.locality.value,
        "engine": m.method.engine, "vendor": m.method.vendor,
        "storage": [m.storage.locality.value, m.storage.internet_transmission, m.storage.cross_border],
        "face_data_types": sorted(t.value for t in m.face_data_types),
    })


_CJK = re.compile(r"[\u3400-\u9fff]")
_DATA_TYPES = {"template": ("特征模板", "feature templates"), "image": ("人脸图像", "face images"),
               "video": ("视频帧", "video frames")}


def one_language(text: str) -> Text:
    """A manifest field written in one language only: shown as written, marked as untranslated in the other.

    Issue 16 item 11: the zh assessment carried English paragraphs from the manifest unmarked.
    """
    if _CJK.search(text):
        return Text(text, f"[Not translated in the manifest; Chinese original:] {text}")
    return Text(f"【清单未提供中文，以下为英文原文】{text}", text)


def _clause(text: str) -> str:
    """A sentence to put inside brackets: no full stop before the closing bracket ("(... on the spot.).")."""
    return text.strip().rstrip("。.")


class _Bilingual(Protocol):
    """Text in Chinese and English: the PIA's own ``Text`` or the manifest's ``LocalizedText``."""

    @property
    def zh(self) -> str: ...

    @property
    def en(self) -> str: ...


def _join(parts: Sequence[_Bilingual], sep_zh: str = "", sep_en: str = " ") -> Text:
    return Text(sep_zh.join(p.zh.strip() for p in parts), sep_en.join(p.en.strip() for p in parts))


def _purpose_and_method(m: Manifest) -> Text:
    purposes = Text("、".join(purpose_label(p)[0] for p in m.purposes), ", ".join(purpose_label(p)[1] for p in m.purposes))
    one = m.method.mode is Mode.VERIFY
    local = m.method.locality is StorageLocality.ON_DEVICE
    return _join([
        Text(f"部署“{m.name.zh}”：{m.scenario.description.zh}", f"Deployment \"{m.name.en}\": {m.scenario.description.en}"),
        Text(f"处理目的：{purposes.zh}。", f"Purposes: {purposes.en}."),
        Text("方式：1:1验证，" if one else "方式：1:N辨识，", "Method: 1:1 verification, " if one else "Method: 1:N identification, "),
        Text("在设备端比对；" if local else "在服务器集中比对；", "compared on the device; " if local else "compared centrally; "),
        Text(f"引擎{m.method.engine}，提供方{m.method.vendor}；", f"engine {m.method.engine}, vendor {m.method.vendor}; "),
        Text("存储数据类型：" + "、".join(_DATA_TYPES.get(t.value, (t.value, t.value))[0] for t in m.face_data_types)
             + f"；保存{m.retention.days}天。",
             "data kept: " + ", ".join(_DATA_TYPES.get(t.value, (t.value, t.value))[1] for t in m.face_data_types)
             + f"; kept {m.retention.days} days."),
        Text("人脸信息经互联网传输。" if m.storage.internet_transmission else "人脸信息不经互联网传输。",
             "Face data is sent over the Internet." if m.storage.internet_transmission
             else "Face data is not sent over the Internet."),
    ])


def _legal_basis(m: Manifest) -> Text:
    if m.legal_basis.type is LegalBasisType.STATUTE and m.legal_basis.statute:
        s = m.legal_basis.statute
        return Text(f"法律、行政法规规定：{s.name}{s.article}。", f"Required by law: {s.name} {s.article}.")
    written = m.written_consent_required
    return Text("个人单独同意（个人信息保护法第二十九条）" + ("，并取得书面同意。" if written else "。"),
                "Separate consent of each person (PIPL Art. 29)" + (", in writing." if written else "."))


def _alternatives(m: Manifest) -> Text:
    if not m.alternatives:
        return Text("未声明非人脸识别替代方式，须说明法律依据（第十条）。",
                    "No non-face alternative is declared; a legal basis is needed (Art. 10).")
    return Text("；".join(f"{a.name.zh}（{_clause(a.how_offered.zh)}）" for a in m.alternatives) + "。",
                "; ".join(f"{a.name.en} ({_clause(a.how_offered.en)})" for a in m.alternatives) + ".")


def _n(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def _figures_text(f: DeploymentFigures) -> Text:
    """Gate refusals, photo problems and alternatives counted apart (issue 16 item 7, M-10.4)."""
    share = f.alternative_share
    pct = f"{share:.1%}" if share is not None else "—"
    return Text(
        f"运行数据：单独同意{f.consents_given}次，撤回{f.consents_withdrawn}次；刷脸完成{f.face_allowed}次，"
        f"被规则拒绝{f.face_refused}次，照片问题（未检测到人脸、多张人脸、无法识别、质量不足）{f.photo_problems}次；"
        f"使用非人脸替代方式{f.alternative_uses}次（占完成的{pct}）。",
        f"Live figures: {_n(f.consents_given, 'separate consent', 'separate consents')}, "
        f"{_n(f.consents_withdrawn, 'withdrawal', 'withdrawals')}; "
        f"{_n(f.face_allowed, 'face completion', 'face completions')}, "
        f"{_n(f.face_refused, 'refusal', 'refusals')} by the gate, "
        f"{_n(f.photo_problems, 'photo problem', 'photo problems')} (no face, several faces, unreadable or poor photo); "
        f"{_n(f.alternative_uses, 'non-face completion', 'non-face completions')} ({pct} of completions).")


def _findings_text(findings: tuple[Finding, ...]) -> Text:
    if not findings:
        return Text("规则检查未发现问题。", "The rule catalog found no issues.")
    counts = {s: sum(1 for f in findings if f.severity is s) for s in Severity}
    ids = ", ".join(dict.fromkeys(f.rule_id for f in findings))
    return Text(f"规则检查：阻断{counts[Severity.BLOCKING]}项、警告{counts[Severity.WARNING]}项、"
                f"建议{counts[Severity.ADVICE]}项（{ids}）。",
                f"Rule findings: {counts[Severity.BLOCKING]} blocking, {counts[Severity.WARNING]} warning, "
                f"{counts[Severity.ADVICE]} advice ({ids}).")


_HARM = {
    "leakage": Text("人脸信息不可更改，泄露后可能被用于冒充身份。", "Faces cannot be changed; leaked data can enable impersonation."),
    "tampering": Text("模板被篡改可能导致误认或拒绝本人。", "Tampered templates can cause false matches or lock people out."),
    "loss": Text("数据丢失导致无法核验，需改用替代方式。", "Lost data stops verification; people fall back to the alternative."),
    "destruction": Text("数据毁损影响服务连续性。", "Damaged data interrupts the service."),
    "illegal_acquisition": Text("被非法获取后可能被用于追踪个人。", "Illegally obtained data can be used to track people."),
    "illegal_sale": Text("被出售将造成大范围身份冒用风险。", "Sold data spreads impersonation risk widely."),
    "illegal_use": Text("超出目的使用侵害个人权益。", "Use beyond the purpose harms people's rights."),
}


def _likelihood(key: str, facts: RiskFacts) -> str:
    exposed = facts.internet_transmission or facts.locality is StorageLocality.CENTRAL
    missing = set(facts.missing_controls)
    if facts.major_incidents or (key in ("leakage", "illegal_acquisition") and "encryption" in missing):
        return "high"
    if key == "tampering" and "security_audit" in missing:
        return "high"
    if exposed or missing or facts.mode is Mode.IDENTIFY:
        return "medium"
    return "low"


def _measures(m: Manifest) -> tuple[Measure, ...]:
    out = []
    for key, (article, label) in CONTROLS.items():
        control = getattr(m.security, key)
        on = bool(control and control.enabled)
        detail = control.detail if control and control.detail else ""
        out.append(Measure(
            Text(f"{label.zh}（{article}）", f"{label.en.capitalize()} ({article})"), on,
            Text(("已落实。" + detail) if on else "未落实，须补充。", ("In place. " + detail).strip() if on
                 else "Not in place; must be added.")))
    out.append(Measure(Text("最短保存期限", "Shortest retention"), True,
                       Text(f"保存{m.retention.days}天后自动删除。", f"Deleted automatically after {m.retention.days} days.")))
    local = m.storage.locality is StorageLocality.ON_DEVICE
    out.append(Measure(Text("设备端存储（M-8.1）", "On-device storage (M-8.1)"), local,
                       Text("人脸信息存储于设备端。" if local else "集中存储，须有法定例外。",
                            "Stored on the device." if local else "Stored centrally; needs a statutory exception.")))
    return tuple(out)


def risk_facts(m: Manifest, live: LiveFacts) -> RiskFacts:
    missing = tuple(k for k in CONTROLS if not (getattr(m.security, k) and getattr(m.security, k).enabled))
    return RiskFacts(
        mode=m.method.mode, locality=m.method.locality, expected_people=max(m.expected_people, live.stored_people),
        involves_minors=m.minors.under_14_allowed, internet_transmission=m.storage.internet_transmission,
        missing_controls=missing, incidents=live.incidents, major_incidents=live.major_incidents,
        alternative_share=live.figures.alternative_share,
    )


def build_pia(m: Manifest, live: LiveFacts, *, version: int, prepared_on: date, reviewer: Reviewer,
              approved_on: date | None = None, supersedes: int | None = None) -> PiaData:
    """Sections (a)-(d) of M-9.2 written from the manifest, the findings and the live figures."""
    facts = risk_facts(m, live)
    threats = tuple(ThreatAssessment(k, _likelihood(k, facts), _HARM[k], Text(
        "加密存储、访问控制、审计留痕，最小化保存。", "Sealed storage, access control, audit trail, minimal retention."))
        for k in THREATS)
    blocking = any(f.is_blocking for f in live.findings)
    proportionate = not facts.missing_controls and not blocking
    return PiaData(
        deployment_id=m.id, processor_name=m.processor.name.zh, version=str(version), prepared_on=prepared_on,
        processor_name_en=english_name(m.processor.name.zh, m.processor.name.en),
        purpose_and_method=_purpose_and_method(m), legal_basis=_legal_basis(m),
        necessity=_join([p.necessity for p in m.purposes] + [_join(
            [Text("最小影响分析：", "Least-impact analysis:")] + [one_language(p.least_impact) for p in m.purposes])]),
        alternatives_considered=_alternatives(m),
        rights_impact=_join([m.notice.effect_on_rights] + ([Text("涉及不满十四周岁未成年人，须取得监护人同意。",
                            "Children under 14 are involved; a guardian's consent is required.")]
                            if m.minors.under_14_allowed else [])),
        mitigation_effectiveness=_join([_figures_text(live.figures), _findings_text(live.findings)]),
        threats=threats, measures=_measures(m),
        measures_proportionality=Text(
            "各项保护措施已落实，与风险程度相适应。" if proportionate else "存在未落实措施或阻断问题，保护措施尚不足以与风险相适应。",
            "All protective measures are in place and fit the risk." if proportionate
            else "Some measures are missing or blocking issues remain; protection does not yet fit the risk."),
        facts=facts, reviewer=reviewer, approved_on=approved_on,
        supersedes_version=str(supersedes) if supersedes else None,
    )
