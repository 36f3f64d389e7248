"""The record, API keys and security events over HTTP (M-9.3, M-14.2 to M-14.5)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import PlainTextResponse
from pydantic import BaseModel, ConfigDict, Field

from facegate.domain.access import Permission as P
from facegate.domain.access import Principal
from facegate.services import access, audit, engines, security
from facegate.services.security import record_security_events
from facegate.web.auth import client_of, require
from facegate.web.deps import app_ctx

router = APIRouter(prefix="/v1", tags=["records and access"])


class KeyCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=100)
    role: Literal["admin", "operator", "auditor", "device"]
    scopes: list[str] = Field(min_length=1, max_length=100)
    ttl_days: int | None = Field(None, ge=1, le=366)


def _key_json(k: Any) -> dict[str, Any]:
    return {"key_id": k.key_id, "name": k.name, "role": k.role.value, "scopes": sorted(k.scopes),
            "created_at": k.created_at, "expires_at": k.expires_at, "revoked_at": k.revoked_at,
            "rotated_from": k.rotated_from}


@router.get("/audit/verify")
async def verify_records(request: Request, principal: Principal = Depends(require(P.AUDIT_VERIFY))) -> Any:
    """Check the whole chain and its signed checkpoints; ok, or the first broken sequence number."""
    report = await run_in_threadpool(audit.verify_records, app_ctx(request).services)
    return {"ok": report.ok, "checked": report.checked, "last_seq": report.last_seq,
            "checkpoints_checked": report.checkpoints_checked, "first_broken_seq": report.first_broken_seq,
            "problem": report.problem.value if report.problem else None, "detail": report.detail}


@router.get("/audit/export", response_class=PlainTextResponse)
def export_records(request: Request, from_seq: int = Query(1, ge=1, le=2**63 - 1),
                   to_seq: int | None = Query(None, ge=1, le=2**63 - 1),
                   principal: Principal = Depends(require(P.AUDIT_EXPORT))) -> Any:
    """JSON Lines with the checkpoints needed to verify offline (`python -m facegate.offline_verify`)."""
    ctx = app_ctx(request)
    rows = (to_seq or 10**12) - from_seq + 1
    decision = ctx.defence.admit_read(key_id=principal.key_id, client=client_of(request),
                                      rows=min(rows, audit.chain_summary(ctx.services)["head_seq"]),
                                      is_export=True)
    record_security_events(ctx.store, decision.events)
    decision.raise_if_refused()
    text = "\n".join(audit.export_records(ctx.services, from_seq, to_seq, actor=principal.key_id)) + "\n"
    return PlainTextResponse(text, media_type="application/x-ndjson")


@router.get("/audit/public-keys")
def public_keys(request: Request, principal: Principal = Depends(require(P.AUDIT_VERIFY))) -> Any:
    """The Ed25519 checkpoint keys, for auditors to pin."""
    auditor = app_ctx(request).services.auditor
    return {"algorithm": auditor.algorithm if auditor else None, "keys": auditor.public_keys() if auditor else {}}


@router.get("/audit/summary")
def summary(request: Request, principal: Principal = Depends(require(P.READ_RECORDS))) -> Any:
    return audit.chain_summary(app_ctx(request).services)


@router.get("/engines")
def engine_progress(request: Request, principal: Principal = Depends(require(P.READ_RECORDS))) -> Any:
    """Templates per engine, per deployment and purpose: a planned engine switch's progress (docs/engines.md)."""
    ctx = app_ctx(request).services
    rows = [r.to_dict() for r in engines.progress(ctx) if principal.covers(r.deployment_id)]
    return {"current": engines.engine_id(ctx.engine).key, "running": [e.key for e in engines.running(ctx)],
            "galleries": rows}


@router.get("/keys")
def list_keys(request: Request, principal: Principal = Depends(require(P.KEY_MANAGE))) -> Any:
    return [_key_json(k) for k in access.list_api_keys(app_ctx(request).services)]


@router.post("/keys", status_code=201)
def create_key(request: Request, body: KeyCreate, principal: Principal = Depends(require(P.KEY_MANAGE))) -> Any:
    """The token is in this response only; it is stored as a hash."""
    created = access.create_api_key(app_ctx(request).services, body.name, body.role, body.scopes,
                                    ttl_days=body.ttl_days, actor=principal.key_id)
    return {**_key_json(created.key), "token": created.token}


@router.post("/keys/{key_id}/revoke")
def revoke_key(request: Request, key_id: str, principal: Principal = Depends(require(P.KEY_MANAGE))) -> Any:
    return _key_json(access.revoke_api_key(app_ctx(request).services, key_id, actor=principal.key_id))


@router.post("/keys/{key_id}/rotate", status_code=201)
def rotate_key(request: Request, key_id: str, principal: Principal = Depends(require(P.KEY_MANAGE))) -> Any:
    created = access.rotate_api_key(app_ctx(request).services, key_id, actor=principal.key_id)
    return {**_key_json(created.key), "token": created.token}


@router.get("/security/events")
def security_events(request: Request, limit: int = 200,
                    principal: Principal = Depends(require(P.SECURITY_READ))) -> Any:
    events = security.list_security_events(app_ctx(request).store, min(max(limit, 1), 1000))
    return [asdict(e) for e in events]
