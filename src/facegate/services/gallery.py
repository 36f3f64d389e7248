"""The in-memory 1:N gallery: templates unsealed into memory only, loaded lazily per deployment.

Kept current by enroll, delete, withdrawal and purge on this node; other nodes
are told through ``invalidate`` (see bootstrap's change feed).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Protocol

import numpy as np

from facegate.ports import ChangeFeed, KeyProvider, Store
from facegate.services.common import template_aad

IndexFactory = Callable[[int], "VectorIndex"]  # dimension -> empty index


class VectorIndex(Protocol):
    """What a gallery index offers (adapters/index.py: exact int8-scan search, IVF above a size)."""

    def __len__(self) -> int: ...

    def add(self, ids: Sequence[str], vectors: np.ndarray) -> None: ...

    def remove(self, ids: Sequence[str]) -> int: ...

    def search(self, query: np.ndarray, k: int) -> list[tuple[str, float]]: ...


class MemoryGallery:
    """The Gallery port: one index per (deployment, purpose), built on first use."""

    def __init__(self, store: Store, keys: KeyProvider, dimension: int, index_factory: IndexFactory) -> None:
        self._store = store
        self._keys = keys
        self._dimension = dimension
        self._factory = index_factory
        self._indexes: dict[tuple[str, str], VectorIndex] = {}
        self._owner: dict[str, tuple[str, str]] = {}  # template id -> subject id, index key
        self._lock = threading.RLock()

    def __repr__(self) -> str:
        return f"MemoryGallery(indexes={len(self._indexes)})"

    def _load(self, deployment_id: str, purpose: str) -> VectorIndex:
        key = (deployment_id, purpose)
        with self._lock:
            if key in self._indexes:
                return self._indexes[key]
            index = self._factory(self._dimension)
            ids: list[str] = []
            vectors: list[np.ndarray] = []
            with self._store.transaction(readonly=True) as tx:
                for t in tx.gallery(deployment_id, purpose):
                    aad = template_aad(deployment_id, t.record.subject_id, purpose)
                    vectors.append(np.frombuffer(self._keys.open(t.key, t.sealed, aad), dtype=np.float32))
                    ids.append(t.record.id)
                    self._owner[t.record.id] = (t.record.subject_id, f"{deployment_id}|{purpose}")
            if ids:
                index.add(ids, np.stack(vectors))
            self._indexes[key] = index
            return index

    def search(self, deployment_id: str, purpose: str, probe: np.ndarray, k: int) -> list[tuple[str, str, float]]:
        index = self._load(deployment_id, purpose)
        hits = index.search(probe, k)  # outside the lock: indexes take concurrent readers
        with self._lock:  # a template removed meanwhile is dropped here
            return [(tid, self._owner[tid][0], dist) for tid, dist in hits if tid in self._owner]

    def size(self, deployment_id: str, purpose: str) -> int:
        return len(self._load(deployment_id, purpose))

    def added(self, deployment_id: str, purpose: str, template_id: str, subject_id: str, vector: np.ndarray) -> None:
        with self._lock:
            index = self._indexes.get((deployment_id, purpose))
            if index is None:
                return  # not loaded yet: the first search reads it from the store
            index.add([template_id], vector.reshape(1, -1))
            self._owner[template_id] = (subject_id, f"{deployment_id}|{purpose}")

    def removed(self, template_ids: list[str]) -> None:
        with self._lock:
            for index in self._indexes.values():
                index.remove(template_ids)
            for tid in template_ids:
                self._owner.pop(tid, None)

    def load_one(self, template_id: str) -> None:
        """Add one template another node enrolled, if its index is loaded here."""
        with self._store.transaction(readonly=True) as tx:
            t = tx.get_sealed_template(template_id)
        if t is None:
            return
        d, p = t.record.deployment_id, t.record.purpose
        if (d, p) not in self._indexes:
            return
        vector = np.frombuffer(self._keys.open(t.key, t.sealed, template_aad(d, t.record.subject_id, p)), np.float32)
        self.added(d, p, template_id, t.record.subject_id, vector)

    def invalidate(self, deployment_id: str | None = None) -> None:
        """Drop cached indexes (all, or one deployment's) so they reload from the store."""
        with self._lock:
            for key in [k for k in self._indexes if deployment_id in (None, k[0])]:
                del self._indexes[key]


class SharedGallery:
    """A MemoryGallery whose changes are published to, and applied from, the other nodes.

    Removals apply within the feed's latency (well under a second on Redis), so a
    person deleted or withdrawn on one node stops matching on every node.
    """

    def __init__(self, local: MemoryGallery, feed: ChangeFeed) -> None:
        self.local = local
        self._feed = feed
        feed.subscribe(self._apply)

    def __repr__(self) -> str:
        return f"SharedGallery({self.local!r})"

    def search(self, deployment_id: str, purpose: str, probe: np.ndarray, k: int) -> list[tuple[str, str, float]]:
        return self.local.search(deployment_id, purpose, probe, k)

    def size(self, deployment_id: str, purpose: str) -> int:
        return self.local.size(deployment_id, purpose)

    def added(self, deployment_id: str, purpose: str, template_id: str, subject_id: str, vector: np.ndarray) -> None:
        self.local.added(deployment_id, purpose, template_id, subject_id, vector)
        self._feed.publish({"op": "added", "template_id": template_id})

    def removed(self, template_ids: list[str]) -> None:
        self.local.removed(template_ids)
        if template_ids:
            self._feed.publish({"op": "removed", "template_ids": list(template_ids)})

    def invalidate(self, deployment_id: str | None = None) -> None:
        self.local.invalidate(deployment_id)
        self._feed.publish({"op": "invalidate", "deployment_id": deployment_id})

    def _apply(self, message: dict[str, object]) -> None:
        op = message.get("op")
        if op == "removed":
            self.local.removed([str(t) for t in message.get("template_ids", [])])  # type: ignore[union-attr]
        elif op == "added":
            self.local.load_one(str(message["template_id"]))
        elif op == "invalidate":
            dep = message.get("deployment_id")
            self.local.invalidate(str(dep) if dep else None)
