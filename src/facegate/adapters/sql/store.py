"""SqlStore: the Store port on SQLAlchemy Core, one transaction per unit of work."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine, delete, insert, select, text, update

from facegate.adapters.sql import tables as t
from facegate.adapters.sql.consents import SqlConsents
from facegate.adapters.sql.deployments import SqlDeployments
from facegate.adapters.sql.gallery_log import GalleryLogMixin
from facegate.adapters.sql.records import RecordsMixin, Signer
from facegate.adapters.sql.subjects import SqlSubjects, SqlTemplates
from facegate.domain.audit import AuditEvent, ChainedEvent, HashFn, link
from facegate.domain.chain import DEFAULT_POLICY, should_checkpoint
from facegate.domain.chain_export import normalize_event
from facegate.ports.keys import WrappedKey

_HEAD_FOR_UPDATE = select(t.audit_head).where(t.audit_head.c.id == 1).with_for_update()
_INSERT_EVENT = insert(t.audit_events)
_UPDATE_HEAD = update(t.audit_head).where(t.audit_head.c.id == 1)


class SqlTx(RecordsMixin, GalleryLogMixin):
    """The unit of work over one open connection inside a transaction: one repository per aggregate."""

    def __init__(self, conn: Connection, hash_fn: HashFn, signer: Signer | None = None,
                 every_events: int = DEFAULT_POLICY.every_events,
                 every_seconds: int = DEFAULT_POLICY.every_seconds) -> None:
        self.conn = conn
        self._hash_fn = hash_fn
        self._signer = signer
        self._every_events = every_events
        self._every_seconds = every_seconds
        self._gallery: dict[str, list[str]] | None = None  # this transaction's gallery changes, for the log
        self.deployments = SqlDeployments(conn)
        self.subjects = SqlSubjects(conn, self._gallery_note)
        self.templates = SqlTemplates(conn, self._gallery_note)
        self.consents = SqlConsents(conn)

    def try_exclusive(self, name: str) -> bool:
        """Take a named lock for this transaction, or answer False at once if another node holds it."""
        if self.conn.dialect.name == "postgresql":
            key = int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)
            return bool(self.conn.execute(text("SELECT pg_try_advisory_xact_lock(:k)"), {"k": key}).scalar_one())
        return True  # SQLite: every write transaction began IMMEDIATE, so it already holds the only write lock

    def get_subject_key(self, subject_id: str) -> WrappedKey | None:
        row = self.conn.execute(select(t.subject_keys).where(t.subject_keys.c.subject_id == subject_id)).first()
        return WrappedKey(row.kek_id, row.algorithm, row.blob) if row else None

    def put_subject_key(self, subject_id: str, key: WrappedKey) -> None:
        values = {"kek_id": key.kek_id, "algorithm": key.algorithm, "blob": key.blob}
        if self.get_subject_key(subject_id):
            self.conn.execute(update(t.subject_keys).where(t.subject_keys.c.subject_id == subject_id).values(**values))
        else:
            self.conn.execute(insert(t.subject_keys).values(subject_id=subject_id, **values))

    def delete_subject_key(self, subject_id: str) -> None:
        self.conn.execute(delete(t.subject_keys).where(t.subject_keys.c.subject_id == subject_id))

    def all_subject_keys(self) -> list[tuple[str, WrappedKey]]:
        rows = self.conn.execute(select(t.subject_keys))
        return [(r.subject_id, WrappedKey(r.kek_id, r.algorithm, r.blob)) for r in rows]

    # processing record -----------------------------------------------------------------
    def append_event(self, event: AuditEvent) -> ChainedEvent:
        # The migration seeds the head row, so every writer takes the same row lock.
        head = self.conn.execute(_HEAD_FOR_UPDATE).one()
        seq = head.seq + 1
        prev_hash = head.hash
        event = normalize_event(event)  # hash exactly what reading the row back gives
        digest = link(prev_hash, seq, event, self._hash_fn)
        # Constant statements with parameters: SQLAlchemy compiles each once (appends are hot).
        self.conn.execute(_INSERT_EVENT, {
            "seq": seq, "kind": event.kind, "at": event.at, "actor": event.actor,
            "deployment_id": event.deployment_id, "subject_ref": event.subject_ref, "allowed": event.allowed,
            "reason_codes": list(event.reason_codes), "detail": event.detail, "prev_hash": prev_hash, "hash": digest,
        })
        head_values: dict[str, Any] = {"seq": seq, "hash": digest, "checkpoint_seq": head.checkpoint_seq,
                                       "checkpoint_at": head.checkpoint_at}
        if self._signer is not None and should_checkpoint(
            head.checkpoint_seq, head.checkpoint_at, seq, event.at, self._every_events, self._every_seconds
        ):
            # Only here (once per thousand records or five minutes) does an append cost more statements.
            self._add_checkpoint(seq, digest, event.at, head.checkpoint_seq)
            head_values.update(checkpoint_seq=seq, checkpoint_at=event.at)
        self.conn.execute(_UPDATE_HEAD, head_values)
        return ChainedEvent(seq, event, prev_hash, digest)


class SqlStore:
    """The Store port: hands out one SqlTx per transaction."""

    def __init__(self, engine: Engine, hash_fn: HashFn, read_engine: Engine | None = None,
                 signer: Signer | None = None,
                 checkpoint_every: tuple[int, int] = (DEFAULT_POLICY.every_events, DEFAULT_POLICY.every_seconds)
                 ) -> None:
        # Verification replays DEFAULT_POLICY: signing less often would read as removed checkpoints (M-9.3).
        if checkpoint_every[0] > DEFAULT_POLICY.every_events or checkpoint_every[1] > DEFAULT_POLICY.every_seconds:
            raise ValueError("checkpoints may be signed more often than the default policy, never less often")
        self.engine = engine
        self.read_engine = read_engine or engine
        self.hash_fn = hash_fn
        self.signer = signer
        self.checkpoint_every = checkpoint_every

    def __repr__(self) -> str:
        return f"SqlStore({self.engine.url.render_as_string(hide_password=True)!r})"

    @contextmanager
    def transaction(self, readonly: bool = False) -> Iterator[SqlTx]:
        with (self.read_engine if readonly else self.engine).begin() as conn:
            tx = SqlTx(conn, self.hash_fn, self.signer, *self.checkpoint_every)
            yield tx
            tx.flush_gallery_changes()  # skipped when the body raised: the rollback takes the changes too

    def dispose(self) -> None:
        self.engine.dispose()
        self.read_engine.dispose()
