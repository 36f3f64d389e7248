"""The gallery change log (mixed into SqlTx): what a node replays after it missed change-feed messages.

Every transaction that adds or removes templates leaves one row, written just
before it commits while it holds the record's head lock. Every such transaction
appends to the record anyway, so this costs one insert and no new lock; and
because the lock is held until commit, row ids grow in commit order: a reader
that has applied everything up to id N never misses a later commit with a
smaller id. A node's version is the last id it applied.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, func, insert, select

from facegate.adapters.sql import tables as t

_HEAD_LOCK = select(t.audit_head.c.id).where(t.audit_head.c.id == 1).with_for_update()


class GalleryLogMixin:
    @property
    def conn(self) -> Connection:  # SqlTx's, opened on first use
        raise NotImplementedError
    _gallery: dict[str, list[str]] | None

    def _gallery_note(self, key: str, values: list[str]) -> None:
        if not values:
            return
        if self._gallery is None:
            self._gallery = {"added": [], "removed": [], "invalidated": []}
        self._gallery[key].extend(values)

    def note_gallery_invalidated(self, deployment_id: str | None) -> None:
        """Tell every node to reload a deployment's galleries (or all, for None) from the store."""
        self._gallery_note("invalidated", [deployment_id or "*"])

    def flush_gallery_changes(self) -> None:
        """Write this transaction's gallery changes as one row; called right before commit."""
        if not self._gallery:
            return
        changes, self._gallery = self._gallery, None
        self.conn.execute(_HEAD_LOCK)  # already held when the transaction appended to the record
        self.conn.execute(insert(t.gallery_changes).values(at=datetime.now(UTC), changes=changes))

    def gallery_version(self) -> int:
        return int(self.conn.execute(select(func.coalesce(func.max(t.gallery_changes.c.id), 0))).scalar_one())

    def gallery_changes(self, after: int, limit: int = 500) -> list[tuple[int, dict[str, Any]]]:
        q = (select(t.gallery_changes.c.id, t.gallery_changes.c.changes).where(t.gallery_changes.c.id > after)
             .order_by(t.gallery_changes.c.id).limit(limit))
        return [(r.id, dict(r.changes)) for r in self.conn.execute(q)]
