"""Attacks on the processing record by someone who can write to the database (issue 11, item 5; M-9.3, M-14.2).

Each test performs the attack with SQL on the real store (SQLite and PostgreSQL)
and checks that `audit verify` reports it. Before this defence, every one of them
passed verification: the head row was not compared with the records, and
checkpoints could be deleted without trace ("0 signed checkpoints").
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import delete, select, update

from facegate.adapters.sql import tables as t
from facegate.bootstrap import AppContext, build_context, record_hash_fn
from facegate.domain.audit import AuditEvent, link
from facegate.domain.chain import ChainProblem, make_checkpoint
from facegate.services import audit
from facegate.testing import FakeFaceEngine, FixedClock
from tests.conftest import make_settings

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def ctx(tmp_path: Path, database_url: str) -> Iterator[AppContext]:
    c = build_context(make_settings(tmp_path, database_url), clock=FixedClock(), engine=FakeFaceEngine())
    yield c
    c.close()


def _append(ctx: AppContext, n: int, *, minutes_apart: float = 0) -> None:
    """``n`` records through the store's own append path; ``minutes_apart`` > 5 makes each one due for signing."""
    clock = ctx.services.clock
    assert isinstance(clock, FixedClock)
    for _ in range(n):
        clock.advance(seconds=1 + minutes_apart * 60)
        with ctx.store.transaction() as tx:
            tx.record.append(AuditEvent("verify", clock.now(), "k-test", "front-desk", "ref", True, ("ok",), {}))


def _rows(ctx: AppContext) -> list:  # type: ignore[type-arg]
    with ctx.store.engine.connect() as conn:
        return list(conn.execute(select(t.audit_events).order_by(t.audit_events.c.seq)))


def _cp_seqs(ctx: AppContext) -> list[int]:
    with ctx.store.engine.connect() as conn:
        return [r.seq for r in conn.execute(select(t.checkpoints.c.seq).order_by(t.checkpoints.c.seq))]


def _rewrite_from(ctx: AppContext, seq: int, actor: str = "someone-else") -> str:
    """Edit record ``seq`` and recompute every later hash and the head row, as an attacker with SQL would."""
    h = record_hash_fn(ctx.settings.record_hash)
    rows = _rows(ctx)
    prev = rows[seq - 2].hash if seq > 1 else "0" * 64
    with ctx.store.engine.begin() as conn:
        for r in rows[seq - 1:]:
            ev = AuditEvent(r.kind, r.at, actor if r.seq == seq else r.actor, r.deployment_id, r.subject_ref,
                            r.allowed, tuple(r.reason_codes), dict(r.detail))
            digest = link(prev, r.seq, ev, h)
            conn.execute(update(t.audit_events).where(t.audit_events.c.seq == r.seq).values(
                actor=ev.actor, prev_hash=prev, hash=digest))
            prev = digest
        conn.execute(update(t.audit_head).where(t.audit_head.c.id == 1).values(hash=prev))
    return prev


def _fix_head_checkpoint(ctx: AppContext) -> None:
    """Point the head row at the newest remaining checkpoint, so it no longer gives the deletion away."""
    with ctx.store.engine.begin() as conn:
        newest = conn.execute(select(t.checkpoints).order_by(t.checkpoints.c.seq.desc()).limit(1)).first()
        conn.execute(update(t.audit_head).where(t.audit_head.c.id == 1).values(
            checkpoint_seq=newest.seq if newest else 0, checkpoint_at=newest.at if newest else None))


def _truncate_after(ctx: AppContext, seq: int) -> None:
    """Delete records and checkpoints after ``seq`` and make the head row agree (a rollback)."""
    with ctx.store.engine.begin() as conn:
        last = conn.execute(select(t.audit_events).where(t.audit_events.c.seq == seq)).one()
        conn.execute(delete(t.audit_events).where(t.audit_events.c.seq > seq))
        conn.execute(delete(t.checkpoints).where(t.checkpoints.c.seq > seq))
        conn.execute(update(t.audit_head).where(t.audit_head.c.id == 1).values(seq=seq, hash=last.hash))
    _fix_head_checkpoint(ctx)


def test_untouched_record_verifies_with_its_head(ctx: AppContext) -> None:
    _append(ctx, 3, minutes_apart=6)
    _append(ctx, 4)
    r = audit.verify_records(ctx.services)
    assert r.ok and r.checked == 7 and r.checkpoints_checked == 3, r


def test_deleting_the_unsigned_tail_is_caught_by_the_head_row(ctx: AppContext) -> None:
    _append(ctx, 6)  # signed at seq 1 only: 2..6 are the unsigned tail
    assert _cp_seqs(ctx) == [1]
    with ctx.store.engine.begin() as conn:
        conn.execute(delete(t.audit_events).where(t.audit_events.c.seq > 1))
    r = audit.verify_records(ctx.services)
    assert (r.ok, r.problem, r.first_broken_seq) == (False, ChainProblem.TRUNCATED, 2), r


def test_rehashed_edit_with_every_checkpoint_deleted_is_caught(ctx: AppContext) -> None:
    _append(ctx, 10)
    _rewrite_from(ctx, 4)
    with ctx.store.engine.begin() as conn:
        conn.execute(delete(t.checkpoints))
    _fix_head_checkpoint(ctx)
    r = audit.verify_records(ctx.services)
    assert (r.ok, r.problem, r.first_broken_seq) == (False, ChainProblem.CHECKPOINT_MISSING, 1), r


def test_rehashed_edit_with_the_later_checkpoints_deleted_is_caught(ctx: AppContext) -> None:
    _append(ctx, 6, minutes_apart=6)  # each record came 6 minutes after the last, so each was signed
    assert _cp_seqs(ctx) == [1, 2, 3, 4, 5, 6]
    _rewrite_from(ctx, 3)
    with ctx.store.engine.begin() as conn:
        conn.execute(delete(t.checkpoints).where(t.checkpoints.c.seq >= 3))
    _fix_head_checkpoint(ctx)
    r = audit.verify_records(ctx.services)
    assert (r.ok, r.problem, r.first_broken_seq) == (False, ChainProblem.CHECKPOINT_MISSING, 3), r


def test_a_checkpoint_removed_from_the_middle_is_caught(ctx: AppContext) -> None:
    _append(ctx, 3)
    with ctx.store.transaction() as tx:
        assert tx.record.sign_head() is not None  # an extra checkpoint at seq 3 (as an export makes), not a due one
    _append(ctx, 2, minutes_apart=6)
    assert _cp_seqs(ctx) == [1, 3, 4, 5]
    with ctx.store.engine.begin() as conn:
        conn.execute(delete(t.checkpoints).where(t.checkpoints.c.seq == 3))
    r = audit.verify_records(ctx.services)
    assert (r.ok, r.problem) == (False, ChainProblem.CHECKPOINT_MISSING), r


def test_deleted_newest_checkpoint_is_caught_by_the_head_row(ctx: AppContext) -> None:
    _append(ctx, 3, minutes_apart=6)
    with ctx.store.engine.begin() as conn:
        conn.execute(delete(t.checkpoints).where(t.checkpoints.c.seq == 3))
    r = audit.verify_records(ctx.services)
    assert (r.ok, r.problem) == (False, ChainProblem.CHECKPOINT_MISSING), r


def test_rollback_with_the_signing_key_is_caught_only_by_an_anchor(ctx: AppContext) -> None:
    """The strongest attacker here holds the database and the signing key: only an anchor outside stops them."""
    _append(ctx, 4, minutes_apart=6)
    _append(ctx, 3)
    anchors = audit.read_anchors(audit.anchor_head(ctx.services))
    assert [a.seq for a in anchors] == [7]
    assert audit.verify_records(ctx.services, anchors).ok
    _append(ctx, 2)

    _truncate_after(ctx, 5)  # roll back to seq 5: consistent, signed, and the head row agrees
    assert audit.verify_records(ctx.services).ok  # nothing inside the database can tell (documented limit)
    r = audit.verify_records(ctx.services, anchors)
    assert (r.ok, r.problem, r.first_broken_seq) == (False, ChainProblem.ROLLED_BACK, 6), r


def test_rewrite_resigned_with_the_key_is_caught_by_an_anchor(ctx: AppContext) -> None:
    _append(ctx, 5, minutes_apart=6)
    anchors = audit.read_anchors(audit.anchor_head(ctx.services))
    _rewrite_from(ctx, 2)
    # Re-sign every checkpoint with the stolen key, linked as the store would.
    signer = ctx.store.signer
    assert signer is not None
    rows = {r.seq: r for r in _rows(ctx)}
    seqs = _cp_seqs(ctx)
    with ctx.store.engine.begin() as conn:
        prev = (0, "0" * 64)
        for seq in seqs:
            cp = make_checkpoint(seq, rows[seq].hash, rows[seq].at, signer.sign, signer.key_id, prev)
            conn.execute(update(t.checkpoints).where(t.checkpoints.c.seq == seq).values(
                hash=cp.hash, signature=cp.signature, prev_seq=cp.prev_seq, prev_hash=cp.prev_hash))
            prev = (cp.seq, cp.hash)
    assert audit.verify_records(ctx.services).ok  # with the key, the database alone vouches for anything
    r = audit.verify_records(ctx.services, anchors)
    assert (r.ok, r.problem) == (False, ChainProblem.REWRITTEN), r


def test_cli_anchor_and_verify_with_anchor(tmp_path: Path, database_url: str) -> None:
    """`facegate audit anchor` appends signed heads to a file; `audit verify --anchor` refuses a rollback past them."""
    env = {**os.environ, "FACEGATE_DATA_DIR": str(tmp_path / "data"), "FACEGATE_ENV": "test",
           "FACEGATE_DATABASE_URL": database_url}
    env.pop("FACEGATE_REDIS_URL", None)

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "facegate.cli.main", "audit", *args], capture_output=True,
                              text=True, env=env, cwd=ROOT, timeout=120)

    c = build_context(make_settings(tmp_path, database_url), clock=FixedClock(), engine=FakeFaceEngine())
    try:
        _append(c, 5)
        anchors = tmp_path / "witness" / "anchors.jsonl"
        anchors.parent.mkdir()
        assert run("anchor", "--out", str(anchors)).returncode == 0
        _append(c, 3)
        assert run("anchor", "--out", str(anchors)).returncode == 0
        to_stdout = run("anchor")
        assert to_stdout.returncode == 0 and '"type":"anchor"' in to_stdout.stdout
        assert len(anchors.read_text().splitlines()) == 2  # appended, never overwritten
        ok = run("verify", "--anchor", str(anchors))
        assert ok.returncode == 0 and "2 anchors" in ok.stdout, ok.stdout + ok.stderr

        _truncate_after(c, 6)
        assert run("verify").returncode == 0
        broken = run("verify", "--anchor", str(anchors))
        assert broken.returncode == 1 and "rolled_back" in broken.stdout, broken.stdout + broken.stderr
        garbled = tmp_path / "garbled.jsonl"
        garbled.write_text("not an anchor\n")
        bad = run("verify", "--anchor", str(garbled))
        assert bad.returncode == 2 and "anchor_invalid" in bad.stderr
    finally:
        c.close()
