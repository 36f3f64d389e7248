"""The gallery change log (mixed into SqlTx): what a node replays after it missed change-feed messages.

Every transaction that adds or removes templates leaves one row, written just
before it commits while it holds the record's head lock. Every such transaction
appends to the record anyway, so this costs one insert and no new lock; and
because the lock is held until commit, row ids grow in commit order: a reader
that has applied everything up to id N never misses a later commit with a
smaller id. A node's version is the last id it applied.

Each replaying node reports its version in ``gallery_consumers``; rows that every
node seen within the lease has applied are pruned, except the newest (the version). A node whose report is older
than the lease is dropped from the table (it no longer holds rows back); when it
comes back it finds its place gone and reloads its galleries from the store.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select, update

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

    # --- the consumers: who has applied how much, so applied rows can go ---------------------------
    def gallery_consumer_version(self, node: str) -> int | None:
        q = select(t.gallery_consumers.c.version).where(t.gallery_consumers.c.node == node)
        version = self.conn.execute(q).scalar()
        return None if version is None else int(version)

    def gallery_report(self, node: str, version: int, seen_at: float) -> None:
        c = t.gallery_consumers.c
        done = self.conn.execute(update(t.gallery_consumers).where(c.node == node)
                                 .values(version=version, seen_at=seen_at))
        if not done.rowcount:
            self.conn.execute(insert(t.gallery_consumers).values(node=node, version=version, seen_at=seen_at))

    def gallery_forget(self, node: str) -> None:
        self.conn.execute(delete(t.gallery_consumers).where(t.gallery_consumers.c.node == node))

    def gallery_prune(self, stale_before: float) -> int:
        """Drop consumers not seen since ``stale_before``, then the rows every remaining one has applied."""
        c = t.gallery_consumers.c
        self.conn.execute(delete(t.gallery_consumers).where(c.seen_at < stale_before))
        applied = self.conn.execute(select(func.min(c.version))).scalar()
        # The newest row always stays: the log's version is its largest id, and SQLite would hand a
        # deleted largest id out again, so a node at that version would never see the new row.
        # With nobody replaying, every older row can go: a node that starts begins at the version.
        newest = self.gallery_version()
        upto = newest - 1 if applied is None else min(int(applied), newest - 1)
        gone = self.conn.execute(delete(t.gallery_changes).where(t.gallery_changes.c.id <= upto))
        return int(gone.rowcount or 0)
