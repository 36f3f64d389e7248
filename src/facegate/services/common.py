"""Helpers shared by the use cases: lookups that fail clearly, AAD, and recording."""

from __future__ import annotations

import uuid

from facegate.domain.audit import AuditEvent
from facegate.domain.gate import GateDecision
from facegate.domain.model import Deployment, Subject
from facegate.errors import InvalidInput, NotFound
from facegate.ports import Tx
from facegate.services.context import ServiceContext

MAX_REF = 128


def new_id() -> str:
    return str(uuid.uuid4())


def check_ref(value: str, field: str = "subject") -> str:
    """Integrator references are pseudonyms: short printable strings, no control characters."""
    if not value or len(value) > MAX_REF or not value.isprintable():
        raise InvalidInput(
            f"{field}_ref_invalid",
            f"The {field} reference must be 1-{MAX_REF} printable characters.",
            f"{field}引用须为1至{MAX_REF}个可打印字符。",
        )
    return value


def load_deployment(tx: Tx, deployment_id: str) -> Deployment:
    d = tx.get_deployment(deployment_id)
    if d is None:
        raise NotFound("deployment_unknown", f"No deployment {deployment_id!r}.", f"部署{deployment_id!r}不存在。")
    return d


def load_subject(tx: Tx, deployment: Deployment, external_ref: str) -> Subject:
    s = tx.get_subject(deployment.processor_id, check_ref(external_ref))
    if s is None:
        raise NotFound("subject_unknown", "No such subject is known here.", "此处没有该个人的记录。")
    return s


def template_aad(deployment_id: str, subject_id: str, purpose: str) -> bytes:
    """Binds a sealed template to where it may be used: moved ciphertext will not open."""
    return f"facegate/v1|{deployment_id}|{subject_id}|{purpose}".encode()


def pseudonym(ctx: ServiceContext, processor_id: str, external_ref: str | None) -> str | None:
    """The keyed hash that stands for a person in records and counters."""
    return ctx.keys.keyed_hash(f"{processor_id}|{external_ref}") if external_ref else None


def record(
    ctx: ServiceContext,
    tx: Tx,
    kind: str,
    *,
    actor: str,
    deployment: Deployment | None = None,
    subject_ref: str | None = None,
    decision: GateDecision | None = None,
    allowed: bool | None = None,
    codes: tuple[str, ...] = (),
    detail: dict[str, object] | None = None,
) -> None:
    """Append to the processing record: references are keyed hashes, never face data (M-9.3)."""
    tx.append_event(AuditEvent(
        kind=kind,
        at=ctx.clock.now(),
        actor=actor,
        deployment_id=deployment.id if deployment else None,
        subject_ref=pseudonym(ctx, deployment.processor_id if deployment else "", subject_ref),
        allowed=decision.allowed if decision else allowed,
        reason_codes=decision.codes if decision else codes,
        detail=detail or {},
    ))
