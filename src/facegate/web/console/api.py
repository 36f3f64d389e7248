"""The workbench API (/v1/workbench): assessments, filing status and records, dossier, signs, incidents."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from facegate.errors import InvalidInput
from facegate.services.workbench import assessment, dossier, figures, filing, signs
from facegate.services.workbench.deps import AssessmentRecord
from facegate.web.console.access import console_access
from facegate.web.console.confirm import signer_of
from facegate.web.console.wiring import workbench_deps
from facegate.web.deps import app_ctx

router = APIRouter(prefix="/v1/workbench", tags=["workbench"])
Officer = Depends(console_access)


def assessment_json(r: AssessmentRecord, base: str = "") -> dict[str, Any]:
    url = f"{base}/v1/workbench/deployments/{r.deployment_id}/assessments/{r.version}/report"
    return {"deployment_id": r.deployment_id, "version": r.version, "manifest_version": r.manifest_version,
            "status": r.status, "reviewer": r.reviewer, "signed_on": r.signed_on, "created_at": r.created_at,
            "retain_until": r.retain_until, "risk": r.document.get("risk"), "html_sha256": r.html_sha256,
            "links": {f"{fmt}_{lang}": f"{url}.{fmt}?lang={lang}" for fmt in ("html", "pdf") for lang in ("zh", "en")}}


def default_processor(request: Request, processor_id: str | None) -> str:
    if processor_id:
        return processor_id
    known = filing.processors(app_ctx(request).services)
    if len(known) != 1:
        raise InvalidInput("processor_required", "Name the processor (processor_id); there are several or none.",
                           "请指定处理者（processor_id）。", detail={"processors": known})
    return known[0]


@router.get("/deployments/{deployment_id}/assessments")
def list_assessments(request: Request, deployment_id: str, actor: str = Officer) -> Any:
    return [assessment_json(r) for r in assessment.list_all(app_ctx(request).services,
                                                            workbench_deps(app_ctx(request)), deployment_id)]


class AssessmentCreate(BaseModel):
    reviewer: str | None = Field(None, max_length=200,
                                 description="Who will sign it (M-9.1); defaults to the manifest's approver.")
    role_zh: str = Field("个人信息保护负责人", min_length=1, max_length=200)
    role_en: str = Field("Personal information protection officer", min_length=1, max_length=200)


@router.post("/deployments/{deployment_id}/assessments", status_code=201)
def generate_assessment(request: Request, deployment_id: str, body: AssessmentCreate | None = None,
                        actor: str = Officer) -> Any:
    ctx = app_ctx(request)
    b = body or AssessmentCreate()
    rec = assessment.generate(ctx.services, workbench_deps(ctx), deployment_id, reviewer=b.reviewer,
                              role_zh=b.role_zh, role_en=b.role_en, actor=actor)
    return assessment_json(rec)


@router.post("/deployments/{deployment_id}/assessments/{version}/approve")
def approve_assessment(request: Request, deployment_id: str, version: int, actor: str = Officer) -> Any:
    """Sign off as the calling key (its name and role are recorded, M-9.1); a superseded version is refused (409)."""
    ctx = app_ctx(request)
    return assessment_json(assessment.approve(ctx.services, workbench_deps(ctx), deployment_id, version,
                                              signer=signer_of(request), actor=actor))


@router.get("/deployments/{deployment_id}/assessments/{version}/report.{fmt}")
def assessment_report(request: Request, deployment_id: str, version: str, fmt: str, lang: str = "zh",
                      actor: str = Officer) -> Response:
    ctx = app_ctx(request)
    deps = workbench_deps(ctx)
    if version != "latest" and not version.isdigit():
        raise InvalidInput("version_invalid", "Version must be a number or 'latest'.", "版本须为数字或latest。")
    rec = assessment.get(ctx.services, deps, deployment_id, None if version == "latest" else int(version))
    body, media = assessment.render(deps, rec, lang, fmt)
    name = f"pia-{deployment_id}-v{rec.version}-{lang}.{fmt}"
    return Response(body, media_type=media, headers={"Content-Disposition": f'inline; filename="{name}"'})


@router.get("/deployments/{deployment_id}/assessment-state")
def assessment_state(request: Request, deployment_id: str, actor: str = Officer) -> Any:
    ctx = app_ctx(request)
    st = assessment.state(ctx.services, workbench_deps(ctx), deployment_id)
    now = ctx.services.clock.now()
    return {"deployment_id": deployment_id, "current": assessment_json(st.current) if st.current else None,
            "is_outdated": st.outdated_since is not None, "outdated_since": st.outdated_since,
            "reasons": list(st.reasons), "blocks_enrolment_from": st.blocks_from,
            "blocks_face_operations_from": st.blocks_from,
            "is_blocking_enrolment": st.is_blocking(now), "article_id": "M-9.5"}


@router.get("/filing")
def filing_status(request: Request, processor_id: str | None = None, today: date | None = None,
                  actor: str = Officer) -> Any:
    ctx = app_ctx(request)
    return filing.status_json(filing.view(ctx.services, workbench_deps(ctx), default_processor(request, processor_id),
                                          today))


class FilingSubmission(BaseModel):
    processor_id: str = Field(..., min_length=1, max_length=64)
    kind: Literal["initial_filing", "change_filing", "cancellation_filing"] = "initial_filing"
    authority: str = Field(..., min_length=1, max_length=200)
    submitted_on: date
    filing_number: str = Field("", max_length=100)
    status: Literal["submitted", "accepted", "rejected"] = "submitted"
    record_id: str | None = Field(None, max_length=36)
    event_on: date | None = None


@router.post("/filing/records", status_code=201)
def record_filing(request: Request, body: FilingSubmission, actor: str = Officer) -> Any:
    ctx = app_ctx(request)
    rec = filing.submit(ctx.services, workbench_deps(ctx), body.processor_id, body.kind, authority=body.authority,
                        submitted_on=body.submitted_on, filing_number=body.filing_number, record_id=body.record_id,
                        status=body.status, event_on=body.event_on, actor=actor)
    return {"id": rec.id, "kind": rec.kind, "status": rec.status, "history": list(rec.history)}


class ChangeCreate(BaseModel):
    processor_id: str = Field(..., min_length=1, max_length=64)
    trigger: str = Field(..., max_length=32)
    changed_on: date


@router.post("/filing/changes", status_code=201)
def open_change(request: Request, body: ChangeCreate, actor: str = Officer) -> Any:
    ctx = app_ctx(request)
    rec = filing.open_change(ctx.services, workbench_deps(ctx), body.processor_id, body.trigger, body.changed_on,
                             actor=actor)
    return {"id": rec.id, "kind": rec.kind, "event_on": rec.event_on, "trigger": rec.trigger}


@router.post("/deployments/{deployment_id}/stop")
def stop(request: Request, deployment_id: str, actor: str = Officer) -> Any:
    ctx = app_ctx(request)
    r = filing.stop_deployment(ctx.services, workbench_deps(ctx), deployment_id, actor=actor)
    return {"deployment_id": r.deployment_id, "templates_disposed": r.templates_disposed, "subjects": r.subjects,
            "cancellation_filing": {"id": r.filing.id, "event_on": r.filing.event_on}}


@router.get("/dossier.zip")
def dossier_zip(request: Request, processor_id: str | None = None, actor: str = Officer) -> Response:
    ctx = app_ctx(request)
    pid = default_processor(request, processor_id)
    body = dossier.build(ctx.services, workbench_deps(ctx), pid, actor=actor)
    return Response(body, media_type="application/zip",
                    headers={"Content-Disposition": f'attachment; filename="filing-dossier-{pid}.zip"'})


@router.get("/deployments/{deployment_id}/sign.{fmt}")
def sign(request: Request, deployment_id: str, fmt: str, size: str = "A4", actor: str = Officer) -> Response:
    ctx = app_ctx(request)
    body, media = signs.sign(ctx.services, workbench_deps(ctx), deployment_id, fmt, size)
    return Response(body, media_type=media,
                    headers={"Content-Disposition": f'inline; filename="sign-{deployment_id}-{size}.{fmt}"'})


class IncidentCreate(BaseModel):
    deployment_id: str = Field(..., max_length=64)
    is_major: bool = False
    occurred_at: datetime | None = None
    summary: str = Field(..., min_length=1, max_length=4000)
    data_types: str = Field("", max_length=200)
    remedial: str = Field("", max_length=4000)
    all_deployments: bool = False


@router.post("/incidents", status_code=201)
def record_incident(request: Request, body: IncidentCreate, actor: str = Officer) -> Any:
    """Record a security incident (M-14.6); a major one makes the assessment out of date (M-9.5)."""
    ctx = app_ctx(request)
    inc = figures.record_incident(ctx.services, workbench_deps(ctx), body.deployment_id, summary=body.summary,
                                  is_major=body.is_major, occurred_at=body.occurred_at, data_types=body.data_types,
                                  remedial=body.remedial, all_deployments=body.all_deployments, actor=actor)
    return {"id": inc.id, "is_major": inc.is_major, "deployment_id": inc.deployment_id, "recorded_at": inc.recorded_at}


@router.get("/figures")
def all_figures(request: Request, actor: str = Officer) -> Any:
    ctx = app_ctx(request)
    return [f.as_dict() for f in figures.deployment_figures(ctx.services, workbench_deps(ctx)).values()]
