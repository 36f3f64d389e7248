"""Impact assessments: generate a version, sign it off, render it, and tell when it is out of date (M-9.x)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from facegate.domain.model import Deployment
from facegate.domain.openset import OpenSetPlan
from facegate.domain.reassessment import AppliedVersion, Baseline, declared_baseline, outdated
from facegate.domain.pia import Reviewer, Text, pia_document
from facegate.errors import Conflict, InvalidInput, NotFound
from facegate.governance.manifest import Manifest
from facegate.governance.rules import RuntimeFacts, evaluate, evaluate_runtime
from facegate.ports import UnitOfWork
from facegate.services import openset
from facegate.services.common import load_deployment, record
from facegate.services.context import ServiceContext
from facegate.services.workbench.deps import (RETENTION_YEARS, AssessmentRecord, WorkbenchDeps, WorkbenchRepository,
                                             add_years)
from facegate.services.workbench.figures import figures_in
from facegate.services.workbench.pia_content import LiveFacts, build_pia, method_hash

_VOLATILE = ("version", "prepared_on", "supersedes_version")  # what differs between equal-content versions


def manifest_of(d: Deployment) -> Manifest:
    try:
        return Manifest.model_validate(d.manifest)
    except ValueError:
        raise InvalidInput("manifest_missing", f"Deployment {d.id!r} has no valid manifest to assess.",
                           f"部署{d.id!r}没有可供评估的有效部署清单。", article_id="M-9.2") from None


def _incidents(wb: WorkbenchRepository, d: Deployment, since: datetime | None = None) -> list[Any]:
    return [i for i in wb.list_incidents(d.processor_id) if i.deployment_id in (None, d.id)
            and (since is None or i.occurred_at >= since)]


def live_facts(tx: UnitOfWork, wb: WorkbenchRepository, d: Deployment, m: Manifest, today: date,
               open_set: tuple[tuple[str, OpenSetPlan], ...] = ()) -> LiveFacts:
    figures = figures_in(wb, d.id)
    stored = tx.templates.count_people(d.processor_id)
    incidents = _incidents(wb, d)
    runtime = RuntimeFacts(today=today, stored_people=stored, face_completions=figures.face_allowed,
                           alternative_completions=figures.alternative_uses, consents_given=figures.consents_given,
                           has_major_incident_since_assessment=any(i.is_major for i in incidents),
                           is_filing_recorded=any(f.submitted_on and f.status in ("submitted", "accepted")
                                                  for f in wb.list_filings(d.processor_id)),
                           open_set=open_set)
    findings = (*evaluate(m).findings, *evaluate_runtime(m, runtime))
    return LiveFacts(tuple(findings), figures, stored, len(incidents), sum(1 for i in incidents if i.is_major))


def _render(deps: WorkbenchDeps, doc: dict[str, Any]) -> tuple[str, str, str]:
    zh, en = deps.renderer.pia_html(doc, "zh"), deps.renderer.pia_html(doc, "en")
    return zh, en, hashlib.sha256(f"{zh}\0{en}".encode()).hexdigest()


def _same_content(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return {k: v for k, v in a.items() if k not in _VOLATILE} == {k: v for k, v in b.items() if k not in _VOLATILE}


def generate(ctx: ServiceContext, deps: WorkbenchDeps, deployment_id: str, *, reviewer: str | None = None,
             role_zh: str = "个人信息保护负责人", role_en: str = "Personal information protection officer",
             actor: str = "console") -> AssessmentRecord:
    """A new draft version from the manifest and today's facts; unchanged content returns the latest one."""
    now = ctx.clock.now()
    with ctx.store.transaction() as tx:
        wb = tx.workbench
        d = load_deployment(tx, deployment_id)
        m = manifest_of(d)
        name = (reviewer or (m.impact_assessment.approved_by if m.impact_assessment else "")).strip()
        if not name:
            raise InvalidInput("reviewer_missing", "Name the reviewer who will sign the assessment.",
                               "请指定签署影响评估的审核人。", article_id="M-9.1")
        existing = wb.list_assessments(d.id)
        latest = existing[-1] if existing else None
        version = (latest.version + 1) if latest else 1
        pia = build_pia(m, live_facts(tx, wb, d, m, now.date(), tuple(openset.plans_in(ctx, tx, d).items())), version=version, prepared_on=now.date(),
                        reviewer=Reviewer(name, Text(role_zh, role_en)),
                        supersedes=max((r.version for r in existing if r.status == "approved"), default=None))
        doc = pia_document(pia)
        if latest is not None and latest.status != "superseded" and _same_content(latest.document, doc) \
                and latest.manifest_version == d.version and latest.reviewer == name:
            return latest
        zh, en, digest = _render(deps, doc)
        rec = AssessmentRecord(d.id, version, d.version, method_hash(d.manifest), doc, zh, en, digest, "draft", name,
                               None, now, actor, add_years(now.date(), RETENTION_YEARS))
        wb.add_assessment(rec)
        record(ctx, tx, "assessment_generated", actor=actor, deployment=d, allowed=True,
               detail={"version": version, "manifest_version": d.version, "risk": doc["risk"]["score"]})
    return rec


@dataclass(frozen=True)
class Signer:
    """Who signs: the signed-in key's own name, role and id (issue 16 item 8), not the manifest's approver."""

    name: str
    role: str  # the key's role (admin), or "cli" for a local administrator at the shell
    key_id: str | None = None


ROLE_NAMES = {"admin": ("管理员", "administrator"), "operator": ("操作员", "operator"),
              "auditor": ("审计员", "auditor"), "cli": ("本机管理员（命令行）", "local administrator (CLI)")}


def approve(ctx: ServiceContext, deps: WorkbenchDeps, deployment_id: str, version: int, *, signer: Signer,
            actor: str = "console") -> AssessmentRecord:
    """``signer`` signs this version; the one approved before it is superseded (M-9.1, M-9.4).

    Refused with ``assessment_superseded`` (409) once a later version exists: signing an
    old draft would put an assessment in force that no longer matches the deployment.
    """
    now = ctx.clock.now()
    if not signer.name.strip():
        raise InvalidInput("signer_unnamed", "The signing key has no name to record.", "签署密钥没有可记录的名称。",
                           article_id="M-9.1")
    with ctx.store.transaction() as tx:
        wb = tx.workbench
        d = load_deployment(tx, deployment_id)
        rec = _get(wb, deployment_id, version)
        latest = max(r.version for r in wb.list_assessments(deployment_id))
        if rec.status == "superseded" or (rec.status == "draft" and version < latest):
            raise Conflict("assessment_superseded", f"Version {version} is superseded by version {latest}; "
                           "sign the latest version.", f"第{version}版已被第{latest}版取代，请签署最新版本。",
                           article_id="M-9.4", detail={"version": version, "latest": latest})
        if rec.status != "draft":
            raise InvalidInput("assessment_not_draft", f"Version {version} is {rec.status}; only drafts are signed.",
                               f"第{version}版已批准，只能签署草稿。", article_id="M-9.1")
        zh_role, en_role = ROLE_NAMES.get(signer.role, (signer.role, signer.role))
        doc = dict(rec.document)
        doc["reviewer"] = {"name": signer.name.strip(), "role": {"zh": zh_role, "en": en_role},
                           "key_id": signer.key_id, "proposed": rec.reviewer, "signed_on": now.date().isoformat()}
        doc["approved_on"] = now.date().isoformat()
        doc["is_approved"] = True
        for old in wb.list_assessments(deployment_id):
            if old.status == "approved":
                wb.update_assessment(replace(old, status="superseded", superseded_at=now,
                                             retain_until=add_years(now.date(), RETENTION_YEARS)))
        zh, en, digest = _render(deps, doc)
        signed = replace(rec, document=doc, html_zh=zh, html_en=en, html_sha256=digest, status="approved",
                         reviewer=signer.name.strip(), signed_on=now.date(),
                         retain_until=add_years(now.date(), RETENTION_YEARS))
        wb.update_assessment(signed)
        record(ctx, tx, "assessment_approved", actor=actor, deployment=d, allowed=True,
               detail={"version": version, "reviewer": signed.reviewer, "role": signer.role,
                       "key_id": signer.key_id, "proposed_reviewer": rec.reviewer})
    return signed


def _get(wb: WorkbenchRepository, deployment_id: str, version: int) -> AssessmentRecord:
    rec = wb.get_assessment(deployment_id, version)
    if rec is None:
        raise NotFound("assessment_unknown", f"No assessment version {version} for {deployment_id!r}.",
                       f"{deployment_id!r}没有第{version}版影响评估。")
    return rec


def get(ctx: ServiceContext, deps: WorkbenchDeps, deployment_id: str, version: int | None = None) -> AssessmentRecord:
    with ctx.store.transaction(readonly=True) as tx:
        wb = tx.workbench
        if version is None:
            recs = wb.list_assessments(deployment_id)
            if not recs:
                raise NotFound("assessment_unknown", f"No assessment for {deployment_id!r} yet.",
                               f"{deployment_id!r}尚无影响评估。")
            approved = [r for r in recs if r.status == "approved"]
            return (approved or recs)[-1]
        return _get(wb, deployment_id, version)


def list_all(ctx: ServiceContext, deps: WorkbenchDeps, deployment_id: str | None = None) -> list[AssessmentRecord]:
    with ctx.store.transaction(readonly=True) as tx:
        return tx.workbench.list_assessments(deployment_id)


def render(deps: WorkbenchDeps, rec: AssessmentRecord, lang: str, fmt: str) -> tuple[bytes, str]:
    """The stored HTML (as signed) or its PDF; ``lang`` is zh or en (M-9.6)."""
    if lang not in ("zh", "en") or fmt not in ("html", "pdf"):
        raise InvalidInput("format_unsupported", "Use lang zh|en and format html|pdf.", "语言须为zh或en，格式须为html或pdf。")
    html = rec.html_zh if lang == "zh" else rec.html_en
    if fmt == "html":
        return html.encode(), "text/html; charset=utf-8"
    return deps.renderer.pdf(html), "application/pdf"


def is_reproducible(deps: WorkbenchDeps, rec: AssessmentRecord) -> bool:
    """Re-render the stored document and compare with what was kept (M-9.4: every version reproducible)."""
    return _render(deps, rec.document)[2] == rec.html_sha256


@dataclass(frozen=True)
class AssessmentState:
    deployment_id: str
    current: AssessmentRecord | None
    outdated_since: datetime | None
    reasons: tuple[str, ...]  # purpose_or_method_changed | major_incident
    blocks_from: datetime | None  # outdated_since + grace: face operations refused from then (M-9.5)

    def is_blocking(self, now: datetime) -> bool:
        return self.blocks_from is not None and now >= self.blocks_from


def _baseline(tx: UnitOfWork, wb: WorkbenchRepository, d: Deployment,
              recs: list[AssessmentRecord] | None = None) -> Baseline | None:
    """What the assessment in force was made for, if any (a signed one, else the manifest's own PIA)."""
    approved = [r for r in (wb.list_assessments(d.id) if recs is None else recs) if r.status == "approved"]
    if approved:
        a = approved[-1]
        return Baseline(a.manifest_version, a.method_hash,
                        datetime.combine(a.signed_on or a.created_at.date(), time(), UTC))
    pia = d.manifest.get("impact_assessment") if isinstance(d.manifest, dict) else None
    if not isinstance(pia, dict):
        return None  # no assessment at all is the M-9.1 rule's business, not a trigger
    versions = tx.deployments.versions(d.id)
    base = declared_baseline(pia, [(v.version, (v.manifest or {}).get("impact_assessment")) for v in versions])
    if base is None:
        return None
    manifest = next(v.manifest for v in versions if v.version == base)
    return Baseline(base, method_hash(manifest), datetime.combine(date.fromisoformat(pia["date"]), time(), UTC))


def state_in(tx: UnitOfWork, wb: WorkbenchRepository, d: Deployment, grace: timedelta) -> AssessmentState:
    """The M-9.5 rule (domain.reassessment) over this deployment's stored versions and incidents."""
    recs = wb.list_assessments(d.id)
    shown = [r for r in recs if r.status == "approved"] or recs
    current = shown[-1] if shown else None
    try:
        base = _baseline(tx, wb, d, recs)  # the gate runs this on every face operation: one read, not two
        if base is None:
            return AssessmentState(d.id, current, None, (), None)
        later = (AppliedVersion(v.version, method_hash(v.manifest), v.applied_at)
                 for v in tx.deployments.versions(d.id) if v.version > base.version)  # hashed only if needed
        majors = [(i.occurred_at, i.recorded_at) for i in _incidents(wb, d) if i.is_major]
        out = outdated(base, method_hash(d.manifest), later, majors, grace)
    except ValueError:  # a stored manifest that no longer validates cannot be compared; the rules report it
        return AssessmentState(d.id, current, None, (), None)
    return AssessmentState(d.id, current, out.since, out.reasons, out.blocks_from)


def state(ctx: ServiceContext, deps: WorkbenchDeps, deployment_id: str) -> AssessmentState:
    with ctx.store.transaction(readonly=True) as tx:
        return state_in(tx, tx.workbench, load_deployment(tx, deployment_id), deps.grace)


def is_assessment_outdated(tx: UnitOfWork, deployment_id: str, now: datetime, grace: timedelta) -> bool:
    """GateFacts.is_assessment_outdated: True once the grace after a M-9.5 trigger has run out."""
    d = tx.deployments.get(deployment_id)
    return d is not None and is_outdated(tx, d, now, grace)


def is_outdated(tx: UnitOfWork, d: Deployment, now: datetime, grace: timedelta) -> bool:
    """The same, for a deployment the caller has already read in this unit of work."""
    return state_in(tx, tx.workbench, d, grace).is_blocking(now)


def assessment_gate(grace: timedelta) -> Callable[[UnitOfWork, Deployment, datetime], bool]:
    """A ready-made ``(tx, deployment, now) -> bool`` for the face services to call inside their transaction;
    it takes the deployment the gate has loaded, so a face operation reads it once."""
    return lambda tx, d, now: is_outdated(tx, d, now, grace)
