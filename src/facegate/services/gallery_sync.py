"""Keeping every node's in-memory galleries current: the database's change log, rung by the change feed.

The feed (Redis pub/sub) is only a doorbell. What changed is read from the
store's gallery change log by a monotonic version (DESIGN: "the change feed must
be replayable"), so a node that missed messages - Redis restarted, the
connection dropped, a publish failed - catches up from the database instead of
trusting that every message arrived. It also polls the log every few seconds,
so even with the feed down for good a removal reaches every node within the
poll interval, and a person deleted or withdrawn stops matching everywhere.

Each node reports the version it has applied; the rows every node seen within
``CONSUMER_LEASE_S`` has applied are pruned, so the log holds only what some live
node still needs. A node silent for longer (stalled, cut off from the database)
is forgotten; when it is back it finds its report gone and, since rows it never
applied may be gone too, reloads its galleries from the store instead of replaying.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # annotations only
    import numpy as np

from facegate.ports import ChangeFeed, Store
from facegate.services.gallery import MemoryGallery

log = logging.getLogger(__name__)
PAGE = 500
CONSUMER_LEASE_S = 600.0  # a node silent this long no longer holds log rows back


class SharedGallery:
    """A MemoryGallery that publishes its changes and replays everyone's from the store's change log."""

    def __init__(self, local: MemoryGallery, feed: ChangeFeed, store: Store, poll_s: float = 5.0,
                 clock: Callable[[], float] = time.time) -> None:
        self.local = local
        self._feed = feed
        self._store = store
        self._poll_s = poll_s
        self._clock = clock
        self.node = uuid.uuid4().hex
        with store.transaction() as tx:
            self.version = tx.gallery_log.version()  # nothing is loaded yet: indexes load from the store as of now
            tx.gallery_log.report(self.node, self.version, clock())
        self._reported_at = clock()
        self.resyncs = 0  # catch-ups after a gap (feed reconnected), not routine polls
        self.last_sync_at: float | None = None
        self.sync_error: str | None = None
        self._sync_lock = threading.Lock()
        self._wake = threading.Event()
        self._gap = False
        self._stop = threading.Event()
        self._keys_changed: list[Callable[[str | None], None]] = []
        feed.subscribe(self._on_message, on_gap=self._on_gap)
        self._thread = threading.Thread(target=self._run, name="facegate-gallery-sync", daemon=True)
        self._thread.start()

    def __repr__(self) -> str:
        return f"SharedGallery({self.local!r}, version={self.version})"

    # --- the Gallery port: local first, then tell the others ------------------------------
    def search(self, deployment_id: str, purpose: str, probe: np.ndarray, k: int,
               engine: str = "") -> list[tuple[str, str, float]]:
        return self.local.search(deployment_id, purpose, probe, k, engine)

    def size(self, deployment_id: str, purpose: str, engine: str = "") -> int:
        return self.local.size(deployment_id, purpose, engine)

    def added(self, deployment_id: str, purpose: str, template_id: str, subject_id: str, vector: np.ndarray,
              engine: str = "") -> None:
        self.local.added(deployment_id, purpose, template_id, subject_id, vector, engine)
        self._feed.publish({"op": "changed"})

    def removed(self, template_ids: list[str]) -> None:
        self.local.removed(template_ids)
        if template_ids:
            self._feed.publish({"op": "changed"})

    def invalidate(self, deployment_id: str | None = None) -> None:
        self.local.invalidate(deployment_id)
        with self._store.transaction() as tx:
            tx.gallery_log.note_invalidated(deployment_id)
        self._feed.publish({"op": "changed"})

    # --- catching up -------------------------------------------------------------------------
    def _on_message(self, message: dict[str, object]) -> None:
        if message.get("op") == "keys":  # an API key changed on another node: drop it from the key cache now
            key_id = message.get("key_id")
            for listener in self._keys_changed:
                listener(str(key_id) if key_id else None)
            return
        self._wake.set()

    # The same doorbell rings the API-key caches (services/key_cache.py); their TTL covers lost rings.
    def ring_keys_changed(self, key_id: str | None) -> None:
        self._feed.publish({"op": "keys", "key_id": key_id})

    def on_keys_changed(self, listener: Callable[[str | None], None]) -> None:
        self._keys_changed.append(listener)

    def _on_gap(self) -> None:
        """The feed was down: messages may be lost. Catch up from the store now."""
        self._gap = True
        self._wake.set()

    def catch_up(self) -> int:
        """Apply every logged change after this node's version; returns how many rows were applied."""
        with self._sync_lock:
            gap, self._gap = self._gap, False
            start, applied = self.version, 0
            with self._store.transaction(readonly=True) as tx:
                forgotten = tx.gallery_log.consumer_version(self.node) is None
            if forgotten:
                self._reload()
            while True:
                with self._store.transaction(readonly=True) as tx:
                    rows = tx.gallery_log.changes(self.version, PAGE)
                for version, changes in rows:
                    self._apply(changes)
                    self.version, applied = version, applied + 1
                if len(rows) < PAGE:
                    break
            self.last_sync_at = self._clock()
            if applied or forgotten or self.last_sync_at - self._reported_at > CONSUMER_LEASE_S / 4:
                self._report(self.last_sync_at)
            if gap:
                self.resyncs += 1
                log.warning("gallery resynchronised from the database after a change-feed gap: "
                            "version %d -> %d, %d change(s) replayed", start, self.version, applied)
            return applied

    def _reload(self) -> None:
        """Forgotten (silent past the lease): rows this node never applied may be pruned, so start afresh.

        The version is read first and the indexes reload lazily afterwards, so whatever commits in
        between is both in the reload and replayed (replaying is idempotent)."""
        with self._store.transaction(readonly=True) as tx:
            self.version = tx.gallery_log.version()
        self.local.invalidate(None)
        log.warning("gallery change log pruned past this node while it was away: galleries reload from the store")

    def _report(self, now: float) -> None:
        with self._store.transaction() as tx:
            tx.gallery_log.report(self.node, self.version, now)
            tx.gallery_log.prune(now - CONSUMER_LEASE_S)
        self._reported_at = now

    def _apply(self, changes: dict[str, Any]) -> None:
        self.local.removed([str(t) for t in changes.get("removed", [])])
        for tid in changes.get("added", []):
            self.local.load_one(str(tid))
        for dep in changes.get("invalidated", []):
            self.local.invalidate(None if dep == "*" else str(dep))

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(self._poll_s)
            self._wake.clear()
            if self._stop.is_set():
                return
            try:
                self.catch_up()
                self.sync_error = None
            except Exception as exc:  # noqa: BLE001 - the database may be down; try again next round
                if self.sync_error is None:
                    log.warning("gallery catch-up failed (%s); retrying every %.0f s", type(exc).__name__,
                                self._poll_s)
                self.sync_error = type(exc).__name__
                self._gap = True  # whatever arrives meanwhile, replay from the log when it is back

    def status(self) -> dict[str, object]:
        feed: dict[str, object] = self._feed.status()
        return {"feed": feed, "gallery": {"version": self.version, "resyncs": self.resyncs,
                                          "last_sync_at": self.last_sync_at, "sync_error": self.sync_error}}

    def close(self) -> None:
        self._stop.set()
        self._wake.set()
        self._feed.close()
        try:  # a node that stops cleanly holds no rows back; one that dies is forgotten after the lease
            with self._store.transaction() as tx:
                tx.gallery_log.forget(self.node)
        except Exception as exc:  # noqa: BLE001 - closing with the database gone: the lease covers it
            log.info("gallery consumer not removed on close (%s)", type(exc).__name__)
        self._thread.join(5)
