"""Setup and timing for verifying a long record streamed from the database (used by bench_audit.py).

The chain is generated in chunks and written straight into ``audit_events`` of each
store (SQLite: executemany on the DB-API connection; PostgreSQL: COPY), so memory
stays constant whatever its length. Then ``audit.verify_records`` does exactly what
`facegate audit verify` does: read the head, stream the records through the store's
own reader (a server-side cursor on PostgreSQL), check the chain and the head row.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, insert, update

from facegate.adapters.sql import tables as t

from facegate.domain.audit import GENESIS, AuditEvent, ChainedEvent, HashFn, canonical_json, link
from facegate.domain.chain import DEFAULT_POLICY, make_checkpoint, should_checkpoint

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
_COLUMNS = ("seq", "kind", "at", "actor", "deployment_id", "subject_ref", "allowed", "reason_codes", "detail",
            "prev_hash", "hash")


def make_event(i: int, at: datetime | None = None) -> AuditEvent:
    """An enroll record as faces.enroll writes it: pseudonymous refs and a template id, no face data."""
    return AuditEvent(
        kind="enroll", at=at or datetime.now(UTC), actor="k_3f9a1c2e", deployment_id="westlake-hotel-front-desk",
        subject_ref=f"{i:064x}", allowed=True, reason_codes=("ok",),
        detail={"purpose": "check_in", "engine": "dlib_resnet_v1", "template": str(uuid.UUID(int=i)),
                "expires_at": "2026-04-01T09:00:00+00:00", "consent": str(uuid.UUID(int=i + 1))},
    )


def chain_chunks(n: int, hash_fn: HashFn, chunk: int = 20_000) -> Iterator[list[ChainedEvent]]:
    prev, out = GENESIS, []
    for seq in range(1, n + 1):
        ev = make_event(seq, START + timedelta(milliseconds=seq))
        digest = link(prev, seq, ev, hash_fn)
        out.append(ChainedEvent(seq, ev, prev, digest))
        prev = digest
        if len(out) == chunk:
            yield out
            out = []
    if out:
        yield out


def _row(c: ChainedEvent, sqlite: bool) -> tuple[Any, ...]:
    e = c.event
    at = e.at.astimezone(UTC).replace(tzinfo=None)  # what tables.UTCDateTime stores
    return (c.seq, e.kind, at.strftime("%Y-%m-%d %H:%M:%S.%f") if sqlite else at, e.actor, e.deployment_id, e.subject_ref,
            e.allowed, canonical_json(list(e.reason_codes)), canonical_json(e.detail), c.prev_hash, c.hash)


class Loader:
    """Writes a prepared chain into one store, signing checkpoints where the store's policy would."""

    def __init__(self, engine: Engine, signer: Any) -> None:
        self.engine, self.signer = engine, signer
        self.cp: tuple[int, str, datetime | None] = (0, GENESIS, None)

    def checkpoints(self, chunk: list[ChainedEvent]) -> list[dict[str, Any]]:
        out = []
        for c in chunk:
            seq, digest, at = self.cp
            if should_checkpoint(seq, at, c.seq, c.event.at, DEFAULT_POLICY.every_events, DEFAULT_POLICY.every_seconds):
                cp = make_checkpoint(c.seq, c.hash, c.event.at, self.signer.sign, self.signer.key_id, (seq, digest))
                out.append({"seq": cp.seq, "hash": cp.hash, "at": cp.at, "key_id": cp.key_id,
                            "signature": cp.signature, "prev_seq": cp.prev_seq, "prev_hash": cp.prev_hash})
                self.cp = (cp.seq, cp.hash, cp.at)
        return out

    def load(self, chunk: list[ChainedEvent]) -> None:
        """Append one chunk of the chain and its checkpoints, and move the head row to its end."""
        sqlite = self.engine.dialect.name == "sqlite"
        rows = [_row(c, sqlite) for c in chunk]
        cps = self.checkpoints(chunk)
        last = chunk[-1]
        with self.engine.begin() as conn:
            _copy(conn, sqlite, rows)
            if cps:
                conn.execute(insert(t.checkpoints), cps)
            conn.execute(update(t.audit_head).where(t.audit_head.c.id == 1).values(
                seq=last.seq, hash=last.hash, checkpoint_seq=self.cp[0], checkpoint_at=self.cp[2]))


def _copy(conn: Any, sqlite: bool, rows: list[tuple[Any, ...]]) -> None:
    raw = conn.connection.driver_connection
    assert raw is not None
    if sqlite:
        raw.executemany(f"INSERT INTO audit_events ({', '.join(_COLUMNS)}) VALUES ({', '.join('?' * 11)})", rows)
    else:
        with raw.cursor() as cur, cur.copy(f"COPY audit_events ({', '.join(_COLUMNS)}) FROM STDIN") as copy:
            for r in rows:
                copy.write_row(r)


def timed_verify(services: Any) -> tuple[float, float, Any]:
    """(wall s, CPU s of this process, report) for `audit verify` over the whole record."""
    from facegate.services import audit

    t0, c0 = time.perf_counter(), time.process_time()
    report = audit.verify_records(services)
    return time.perf_counter() - t0, time.process_time() - c0, report
