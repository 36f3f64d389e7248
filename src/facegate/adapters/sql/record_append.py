"""Appending to the processing record (mixed into SqlTx): buffered per unit of work, linked in batches.

``append_event`` only buffers the event. When the unit of work ends, one of two
things happens, and either way the record commits with the operation (M-9.3):

- the unit wrote something else (a template, a consent, ...): its records are
  linked into the chain inside its own transaction, just before it commits
  (``flush_records``). The head row is locked only from there to the commit,
  not from the first append on;
- the unit only read (a verify, an identify, a refusal): its records are its
  only write, so nothing is lost by committing them together with those of
  other units that ended at the same moment (``take_deferred_records``, then
  ``GroupCommitter``). The unit does not return until that commit is durable.
  A unit that only appended never even opened a connection (SqlTx opens it lazily).

Linking a batch reads the head once, inserts all rows with one statement, signs
the checkpoints the policy asks for at exactly the records where appending one
by one would have signed, and updates the head once.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, event

from facegate.adapters.sql.records import Signer
from facegate.domain.audit import AuditEvent, ChainedEvent, EncodedEvent, HashFn
from facegate.domain.chain import next_checkpoint, should_checkpoint
from facegate.domain.refs import text_invalid

_SQLITE_TIME = "%Y-%m-%d %H:%M:%S.%f"
_WROTE = "facegate_wrote"  # Connection.info key: this transaction changed something besides the record
_READS = ("SELECT", "BEGIN ", "BEGIN")  # the SQLite begin hook issues BEGIN [IMMEDIATE] through the connection


def watch_writes(engine: Engine) -> None:
    """Mark a connection as soon as it executes anything but a read, so a unit of work knows whether
    its records may be group-committed after it. Idempotent per engine."""
    if not event.contains(engine, "before_cursor_execute", _note_write):
        event.listen(engine, "before_cursor_execute", _note_write)


def _note_write(conn: Any, _cursor: Any, statement: str, _params: Any, _context: Any, _many: bool) -> None:
    head = statement.lstrip()[:6].upper()
    if head not in _READS:
        conn.info[_WROTE] = True


class RecordAppendMixin:
    @property
    def conn(self) -> Connection:  # SqlTx's, opened on first use
        raise NotImplementedError
    _hash_fn: HashFn
    _every_events: int
    _every_seconds: int
    _gallery: dict[str, list[str]] | None
    _records: list[EncodedEvent]
    _signer: Signer | None

    def _opened(self) -> bool:
        return "conn" in self.__dict__  # SqlTx opens its connection lazily

    @property
    def _signing(self) -> bool:
        return self._signer is not None

    def _begin_records(self) -> None:
        self._records = []

    @staticmethod
    def _watch_writes(conn: Connection) -> None:
        """Called as the unit's connection opens: nothing but reads on it so far."""
        conn.info[_WROTE] = False

    def append_event(self, event: AuditEvent) -> None:
        """Record an event; it is linked into the chain when the unit of work ends (or is read back)."""
        # Encoded once, normalised as reading the row back gives it: the guard, the hash and the stored
        # JSON all use this one encoding.
        encoded = EncodedEvent.of(event)
        if encoded.has_nul():
            # Refused here, in the unit that made it, not later in a commit shared with other units.
            raise text_invalid("processing record")
        self._records.append(encoded)

    def flush_records(self) -> list[ChainedEvent]:
        """Link this transaction's buffered records into the chain now, inside this transaction."""
        if not self._records:
            return []
        events, self._records = self._records, []
        return self.link_events(events)

    def take_deferred_records(self) -> list[EncodedEvent]:
        """Called as the unit of work ends: the records to group-commit after it, or [] when the unit
        wrote anything else (then its records were linked into its own transaction here)."""
        if not self._records:
            return []
        if self._gallery or (self._opened() and self.conn.info.get(_WROTE)):
            self.flush_records()
            return []
        events, self._records = self._records, []
        return events

    def link_events(self, events: list[EncodedEvent]) -> list[ChainedEvent]:
        """Chain ``events`` after the head, in order; the caller commits. Holds the head lock to commit.

        Three statements on the DB-API connection (SQLAlchemy's per-statement work cost more than
        hashing): read the head (FOR UPDATE on PostgreSQL; SQLite's BEGIN IMMEDIATE already holds the
        write lock), insert every row at once, move the head. Values are stored as the table's column
        types store them (naive UTC timestamps, JSON text), so SQLAlchemy reads them back unchanged; the JSON
        text is the canonical form the hash covers, so `audit verify` hashes it without re-encoding.
        """
        return self.link_on(LinkSql.of(self.conn), events)

    def link_on(self, sql: LinkSql, events: list[EncodedEvent]) -> list[ChainedEvent]:
        """``link_events`` on a DB-API connection inside its transaction (the group commit's leader has
        no SQLAlchemy Connection). Checkpoints are signed and written on it too."""
        cur = sql.raw.cursor()
        try:
            cur.execute(sql.head)
            seq, prev, cp_seq, cp_at_raw = cur.fetchone()
            cp_at = sql.from_time(cp_at_raw)
            signed_seq = cp_seq
            rows: list[tuple[Any, ...]] = []
            chained: list[ChainedEvent] = []
            due: list[tuple[int, str, datetime]] = []
            for encoded in events:
                ev = encoded.event
                seq += 1
                digest = encoded.link(prev, seq, self._hash_fn)
                rows.append((seq, ev.kind, sql.to_time(ev.at), ev.actor, ev.deployment_id, ev.subject_ref,
                             ev.allowed, encoded.reason_codes_json, encoded.detail_json, prev, digest))
                chained.append(ChainedEvent(seq, ev, prev, digest))
                if self._signing and should_checkpoint(cp_seq, cp_at, seq, ev.at, self._every_events,
                                                       self._every_seconds):
                    due.append((seq, digest, ev.at))  # signed where appending one by one would have signed
                    cp_seq, cp_at = seq, ev.at
                prev = digest
            cur.executemany(sql.insert, rows)
            for cp_record_seq, cp_hash, at in due:
                self._write_checkpoint(sql, cur, cp_record_seq, cp_hash, at, signed_seq)
                signed_seq = cp_record_seq
            cur.execute(sql.update, (seq, prev, cp_seq, None if cp_at is None else sql.to_time(cp_at)))
        finally:
            cur.close()
        return chained

    def _write_checkpoint(self, sql: LinkSql, cur: Any, seq: int, digest: str, at: datetime, prev_seq: int) -> None:
        """Sign record ``seq`` and link the signature to the checkpoint before it (as ``_add_checkpoint``)."""
        assert self._signer is not None

        def stored_hash(prev: int) -> object | None:
            cur.execute(sql.checkpoint_hash, (prev,))
            found = cur.fetchone()
            return None if found is None else found[0]

        cp = next_checkpoint(seq, digest, at, self._signer.sign, self._signer.key_id, prev_seq, stored_hash)
        cur.execute(sql.insert_checkpoint, (cp.seq, cp.hash, sql.to_time(cp.at), cp.key_id, cp.signature,
                                            cp.prev_seq, cp.prev_hash))


class LinkSql:
    """The statements of ``link_events`` in the driver's own parameter style."""

    _COLUMNS = "seq, kind, at, actor, deployment_id, subject_ref, allowed, reason_codes, detail, prev_hash, hash"

    def __init__(self, raw: Any, sqlite: bool) -> None:
        self.raw, self.sqlite = raw, sqlite
        mark = "?" if sqlite else "%s"
        self.head = ("SELECT seq, hash, checkpoint_seq, checkpoint_at FROM audit_head WHERE id = 1"
                     + ("" if sqlite else " FOR UPDATE"))
        self.insert = f"INSERT INTO audit_events ({self._COLUMNS}) VALUES ({', '.join([mark] * 11)})"
        self.update = (f"UPDATE audit_head SET seq = {mark}, hash = {mark}, checkpoint_seq = {mark}, "
                       f"checkpoint_at = {mark} WHERE id = 1")
        self.checkpoint_hash = f"SELECT hash FROM audit_checkpoints WHERE seq = {mark}"
        self.insert_checkpoint = ("INSERT INTO audit_checkpoints (seq, hash, at, key_id, signature, prev_seq, "
                                  f"prev_hash) VALUES ({', '.join([mark] * 7)})")

    @classmethod
    def of(cls, conn: Connection) -> LinkSql:
        return cls(conn.connection.driver_connection, conn.dialect.name == "sqlite")

    def to_time(self, at: datetime) -> Any:
        naive = at.astimezone(UTC).replace(tzinfo=None)  # tables.UTCDateTime stores naive UTC
        return naive.strftime(_SQLITE_TIME) if self.sqlite else naive  # SQLAlchemy's SQLite text format

    def from_time(self, value: Any) -> datetime | None:
        if value is None:
            return None
        at = datetime.fromisoformat(value) if isinstance(value, str) else value
        return at.replace(tzinfo=UTC)
