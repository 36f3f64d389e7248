"""What a kill -9 left in the store, read straight from its tables and checked (M-9.3, M-14.2).

Used by tests/integration/test_crash_recovery.py: the chain verifies from genesis against
its signed checkpoints and ends at the head row; every template row has the ``enroll``
record naming it; every enrolled template that is gone is explained by a later delete,
withdrawal, purge or replacement.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, select

from facegate.adapters.keys.signing import CheckpointSigner, CheckpointVerifier
from facegate.adapters.sql import tables as t
from facegate.bootstrap import record_hash_fn
from facegate.domain.audit import AuditEvent, ChainedEvent
from facegate.domain.chain import DEFAULT_POLICY, ChainReport, Checkpoint, verify_chain

REMOVING = {"delete", "consent_withdrawn", "purge"}


@dataclass
class Stored:
    events: list[ChainedEvent]
    checkpoints: list[Checkpoint]
    head: tuple[int, str]
    templates: dict[str, str]  # template id -> subject id


def read_store(db_url: str) -> Stored:
    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            events = [
                ChainedEvent(r.seq, AuditEvent(
                    kind=r.kind, at=r.at, actor=r.actor, deployment_id=r.deployment_id, subject_ref=r.subject_ref,
                    allowed=r.allowed, reason_codes=tuple(r.reason_codes), detail=r.detail,
                ), r.prev_hash, r.hash)
                for r in conn.execute(select(t.audit_events).order_by(t.audit_events.c.seq))
            ]
            cps = [Checkpoint(r.seq, r.hash, r.at, r.signature, r.key_id, r.prev_seq, r.prev_hash)
                   for r in conn.execute(select(t.checkpoints).order_by(t.checkpoints.c.seq))]
            head = conn.execute(select(t.audit_head.c.seq, t.audit_head.c.hash).where(t.audit_head.c.id == 1)).one()
            templates = {r.id: r.subject_id for r in conn.execute(select(t.templates.c.id, t.templates.c.subject_id))}
    finally:
        engine.dispose()
    return Stored(events, cps, (head.seq, head.hash), templates)


def signature_check(keys_dir: Path) -> CheckpointVerifier:
    """The checkpoint verifier over this node's public key."""
    return CheckpointVerifier([CheckpointSigner(keys_dir).public_key_pem()])


def verify_stored(s: Stored, keys_dir: Path) -> ChainReport:
    check = signature_check(keys_dir)
    report = verify_chain(s.events, record_hash_fn("sha256"), checkpoints=s.checkpoints,
                          verify_signature=check, policy=DEFAULT_POLICY)
    assert report.ok, f"chain broken after the crash: {report}"
    assert report.checked == len(s.events)
    assert (report.last_seq, report.last_hash) == s.head, "the head row does not name the last record"
    return report


def unexplained(s: Stored) -> tuple[list[str], list[str]]:
    """(template rows with no enroll record, enrolled templates gone with no later delete/withdraw/purge)."""
    enrolled: dict[str, ChainedEvent] = {}
    for rec in s.events:
        template = rec.event.detail.get("template") if rec.event.kind == "enroll" else None
        if template:
            enrolled[str(template)] = rec
    orphans = sorted(tid for tid in s.templates if tid not in enrolled)
    missing = []
    for tid, rec in enrolled.items():
        if tid in s.templates:
            continue
        later = [e.event for e in s.events[rec.seq:]]  # seq is 1-based and gapless (the chain verified)
        removed = any(e.kind in REMOVING and (e.subject_ref == rec.event.subject_ref or e.kind == "purge"
                                              and e.deployment_id == rec.event.deployment_id) for e in later)
        # An enroll that pushes out a person's oldest template should name it (detail["replaced"]).
        replaced = any(e.kind == "enroll" and tid in (e.detail.get("replaced") or ()) for e in later)
        if not (removed or replaced):
            missing.append(tid)
    return orphans, sorted(missing)
