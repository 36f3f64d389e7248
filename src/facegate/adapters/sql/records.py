"""The processing record read back and its checkpoints (mixed into SqlTx; services reach it as ``uow.record``)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Protocol

from sqlalchemy import Connection, insert, select, update

from facegate.adapters.sql import tables as t
from facegate.adapters.sql.record_stream import StoredRecord, stream_events, stream_stored
from facegate.domain.audit import AuditEvent, ChainedEvent
from facegate.domain.chain import Checkpoint, next_checkpoint
from facegate.domain.head import HeadState


class Signer(Protocol):
    key_id: str

    def sign(self, data: bytes) -> bytes: ...


class RecordsMixin:
    @property
    def conn(self) -> Connection:  # SqlTx's, opened on first use
        raise NotImplementedError
    _signer: Signer | None
    flush_records: Callable[[], list[ChainedEvent]]  # RecordAppendMixin

    # the record, read back -----------------------------------------------------------
    # Every read of the record first links what this transaction appended, so it reads its own writes.
    def chain_events(self, from_seq: int = 1, to_seq: int | None = None) -> Iterator[ChainedEvent]:
        self.flush_records()
        return stream_events(self.conn, from_seq, to_seq)

    def stored_events(self, from_seq: int = 1, to_seq: int | None = None) -> Iterator[StoredRecord]:
        self.flush_records()
        return stream_stored(self.conn, from_seq, to_seq)

    def checkpoints(self, to_seq: int | None = None) -> list[Checkpoint]:
        self.flush_records()
        q = select(t.checkpoints)
        if to_seq is not None:
            q = q.where(t.checkpoints.c.seq <= to_seq)
        return [Checkpoint(r.seq, r.hash, r.at, r.signature, r.key_id, r.prev_seq, r.prev_hash)
                for r in self.conn.execute(q.order_by(t.checkpoints.c.seq))]

    def chain_head(self) -> tuple[int, str]:
        self.flush_records()
        head = self.conn.execute(select(t.audit_head).where(t.audit_head.c.id == 1)).one()
        return head.seq, head.hash

    def head_state(self) -> HeadState:
        """The head row as stored: where the record ends and where it was last signed."""
        self.flush_records()
        head = self.conn.execute(select(t.audit_head).where(t.audit_head.c.id == 1)).one()
        return HeadState(head.seq, head.hash, head.checkpoint_seq)

    def sign_head(self) -> Checkpoint | None:
        """Sign the current head now (before an export or an anchor), so the tail is covered too."""
        self.flush_records()
        head = self.conn.execute(select(t.audit_head).where(t.audit_head.c.id == 1).with_for_update()).one()
        if self._signer is None or head.seq == 0 or head.seq == head.checkpoint_seq:
            return None
        row = self.conn.execute(select(t.audit_events.c.at).where(t.audit_events.c.seq == head.seq)).one()
        cp = self._add_checkpoint(head.seq, head.hash, row.at, head.checkpoint_seq)
        self.conn.execute(update(t.audit_head).where(t.audit_head.c.id == 1).values(
            checkpoint_seq=cp.seq, checkpoint_at=cp.at))
        return cp

    def _add_checkpoint(self, seq: int, digest: str, at: datetime, prev_seq: int) -> Checkpoint:
        """Sign record ``seq`` and link the signature to the checkpoint before it (caller holds the head lock)."""
        assert self._signer is not None
        def stored_hash(prev: int) -> object | None:
            return self.conn.execute(select(t.checkpoints.c.hash).where(t.checkpoints.c.seq == prev)).scalar()

        cp = next_checkpoint(seq, digest, at, self._signer.sign, self._signer.key_id, prev_seq, stored_hash)
        self.conn.execute(insert(t.checkpoints).values(
            seq=cp.seq, hash=cp.hash, at=cp.at, key_id=cp.key_id, signature=cp.signature,
            prev_seq=cp.prev_seq, prev_hash=cp.prev_hash))
        return cp
