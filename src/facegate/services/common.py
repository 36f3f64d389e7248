"""Helpers shared by the use cases: lookups that fail clearly, AAD, and recording."""

from __future__ import annotations

import secrets
import uuid

from facegate.domain.audit import AuditEvent
from facegate.domain.gate import GateDecision
from facegate.domain.model import Deployment, Subject
from facegate.domain.refs import check_ref as check_ref  # re-exported: the one reference rule (M-6.3)
from facegate.errors import NotFound
from facegate.ports import UnitOfWork
from facegate.services.context import ServiceContext


# Crockford's base32 without I, L, O, U: nothing to misread when typed from a slip.
RECEIPT_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
RECEIPT_CHARS = 26  # 26 x 5 = 130 random bits: guessing is hopeless even unthrottled (docs/security.md)


def new_id() -> str:
    return str(uuid.uuid4())


def receipt_code(prefix: str) -> str:
    """A receipt a person can type (``FGR-`` consent, ``FGD-`` withdrawal or deletion); only its hash is stored."""
    return prefix + "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(RECEIPT_CHARS))


def load_deployment(tx: UnitOfWork, deployment_id: str) -> Deployment:
    d = tx.deployments.get(deployment_id)
    if d is None:
        raise NotFound("deployment_unknown", f"No deployment {deployment_id!r}.", f"部署{deployment_id!r}不存在。")
    return d


def load_subject(tx: UnitOfWork, deployment: Deployment, external_ref: str) -> Subject:
    s = tx.subjects.get(deployment.processor_id, check_ref(external_ref))
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
    tx: UnitOfWork,
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
    tx.record.append(AuditEvent(
        kind=kind,
        at=ctx.clock.now(),
        actor=actor,
        deployment_id=deployment.id if deployment else None,
        subject_ref=pseudonym(ctx, deployment.processor_id if deployment else "", subject_ref),
        allowed=decision.allowed if decision else allowed,
        reason_codes=decision.codes if decision else codes,
        detail=detail or {},
    ))
