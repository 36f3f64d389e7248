"""Reading the processing record back in seq order, streamed in constant memory, fast enough to verify
a million records in well under half a minute (M-9.3, M-14.2).

SQLAlchemy's row objects and type decorators cost more than hashing the record
does, so the record is read through the DB-API connection underneath: a
server-side (named) cursor on PostgreSQL, chunked ``fetchmany`` on SQLite. The
JSON columns are read as text on both (``::text`` on PostgreSQL, whose json type
keeps the text as written).

Two readers. ``stream_events`` decodes each row into a ``ChainedEvent`` (exports,
anything that needs the values), with the conversions the table's column types
make. ``stream_stored`` is what `audit verify` walks: a ``StoredRecord`` hashes the
row's own text (the store writes ``reason_codes`` and ``detail`` in the canonical
form the hash covers), and decodes the JSON only when that hash does not match,
which is the case for records written before that form, and for edited ones.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection

from facegate.domain.audit import AuditEvent, ChainedEvent, HashFn, canonical_json, stored_body

CHUNK = 5_000  # rows per fetch: memory stays constant whatever the length of the record
_UNREADABLE = datetime.min.replace(tzinfo=UTC)  # the ``at`` of a row whose time does not parse


def _aware(value: Any) -> datetime:
    at = datetime.fromisoformat(value) if isinstance(value, str) else value
    return at.replace(tzinfo=UTC)  # stored as naive UTC (tables.UTCDateTime)


@lru_cache(maxsize=256)  # a few distinct lists of reason codes recur in millions of records
def _codes(text: str) -> tuple[str, ...]:
    value = json.loads(text)
    # Anything but a list is shown as its text, so an export of an edited row never hashes as the original.
    return tuple(value) if isinstance(value, list) else (text,)


def _rows(conn: Connection, from_seq: int, to_seq: int | None, chunk: int) -> Iterator[list[tuple[Any, ...]]]:
    """Raw rows in seq order, ``chunk`` at a time: JSON columns as text, times as the driver gives them."""
    sqlite = conn.dialect.name == "sqlite"
    mark, as_text = ("?", "") if sqlite else ("%s", "::text")
    sql = (f"SELECT seq, kind, at, actor, deployment_id, subject_ref, allowed, reason_codes{as_text}, "
           f"detail{as_text}, prev_hash, hash FROM audit_events WHERE seq >= {mark}")
    params: tuple[int, ...] = (from_seq,)
    if to_seq is not None:
        sql += f" AND seq <= {mark}"
        params += (to_seq,)
    sql += " ORDER BY seq"
    raw = conn.connection.driver_connection
    assert raw is not None
    if sqlite:
        cursor = raw.cursor()
    else:  # a named cursor is server-side: PostgreSQL sends ``chunk`` rows at a time
        cursor = raw.cursor(name=f"fg_record_{uuid.uuid4().hex[:12]}")
        cursor.itersize = chunk
    try:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(chunk):
            yield rows
    finally:
        cursor.close()


def stream_events(conn: Connection, from_seq: int = 1, to_seq: int | None = None,
                  chunk: int = CHUNK) -> Iterator[ChainedEvent]:
    """Records ``from_seq``..``to_seq`` in seq order, decoded, within ``conn``'s transaction."""
    for rows in _rows(conn, from_seq, to_seq, chunk):
        for seq, kind, at, actor, dep, ref, allowed, codes, detail, prev_hash, digest in rows:
            event = AuditEvent(kind, _aware(at), actor, dep, ref, None if allowed is None else bool(allowed),
                               _codes(codes), json.loads(detail))
            yield ChainedEvent(seq, event, prev_hash, digest)


class StoredRecord:
    """One row as stored, checked against its hash as it is (``facegate.domain.audit.Linked``)."""

    __slots__ = ("seq", "prev_hash", "hash", "at", "_row")
    seq: int
    prev_hash: str
    hash: str
    at: datetime

    def __init__(self, row: tuple[Any, ...]) -> None:
        self.seq, self.prev_hash, self.hash = row[0], row[9], row[10]
        try:
            self.at = _aware(row[2])
        except (TypeError, ValueError, AttributeError):
            self.at = _UNREADABLE
        self._row = row

    def is_consistent(self, hash_fn: HashFn) -> bool:
        seq, kind, _, actor, dep, ref, allowed, codes, detail, prev_hash, _ = self._row
        digest: str = self.hash
        if self.at is _UNREADABLE or not (allowed is None or type(allowed) in (bool, int) and allowed in (0, 1)):
            return False  # SQLite keeps a boolean as 0 or 1: any other value is an edit
        try:
            prefix = bytes.fromhex(prev_hash)
            at = self.at.isoformat()
            # json.dumps' old default text has '": ' after every key; the canonical text has it only inside a
            # string. This only picks which way to try first: the decoding way below decides alone.
            if '": ' not in detail and hash_fn(
                    prefix + stored_body(seq, kind, at, actor, dep, ref, allowed, codes, detail)).hex() == digest:
                return True
            # Not the canonical text: written before the store wrote that form, or edited. Decode and re-encode:
            # the same values hash the same (the old text), other values do not (an edit).
            codes_value = json.loads(codes)
            if not isinstance(codes_value, list):
                return False
            body = stored_body(seq, kind, at, actor, dep, ref, allowed, canonical_json(codes_value),
                               canonical_json(json.loads(detail)))
        except (TypeError, ValueError, KeyError):  # unparseable hex or JSON, a field of the wrong type
            return False
        return hash_fn(prefix + body).hex() == digest


def stream_stored(conn: Connection, from_seq: int = 1, to_seq: int | None = None,
                  chunk: int = CHUNK) -> Iterator[StoredRecord]:
    """Records ``from_seq``..``to_seq`` in seq order as stored, for verification, within ``conn``'s transaction."""
    for rows in _rows(conn, from_seq, to_seq, chunk):
        yield from map(StoredRecord, rows)
