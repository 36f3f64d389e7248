"""The in-memory 1:N gallery: templates unsealed into memory only, loaded lazily per deployment.

One index per deployment, purpose and engine (``EngineId.key``): templates of two
engines live in different spaces and are never searched together.
Kept current by enroll, delete, withdrawal and purge on this node; other nodes'
changes arrive through ``services.gallery_sync.SharedGallery``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:  # numpy loads with the first gallery, not at start (issue 14: commands without faces)
    import numpy as np

from facegate.domain.scores import EngineId
from facegate.ports import KeyProvider, Store
from facegate.services.common import template_aad

IndexFactory = Callable[[int], "VectorIndex"]  # dimension -> empty index


class VectorIndex(Protocol):
    """What a gallery index offers (adapters/index.py: exact int8-scan search, IVF above a size)."""

    def __len__(self) -> int: ...

    def add(self, ids: Sequence[str], vectors: np.ndarray) -> None: ...

    def remove(self, ids: Sequence[str]) -> int: ...

    def search(self, query: np.ndarray, k: int) -> list[tuple[str, float]]: ...


class MemoryGallery:
    """The Gallery port: one index per (deployment, purpose, engine), built on first use.

    ``engines`` maps each running engine's key to its vector dimension; without it every
    template is one engine's (``engine=""``), as for a single-engine tool.
    """

    def __init__(self, store: Store, keys: KeyProvider, dimension: int, index_factory: IndexFactory,
                 engines: Mapping[str, int] | None = None) -> None:
        self._store = store
        self._keys = keys
        self._dimension = dimension
        self._engines = dict(engines) if engines is not None else None
        self._factory = index_factory
        self._indexes: dict[tuple[str, str, str], VectorIndex] = {}
        self._owner: dict[str, tuple[str, str]] = {}  # template id -> subject id, index key
        self._lock = threading.RLock()

    def __repr__(self) -> str:
        return f"MemoryGallery(indexes={len(self._indexes)})"

    def _engine_of(self, engine: str, version: str) -> str:
        return "" if self._engines is None else EngineId(engine, version).key

    def _load(self, deployment_id: str, purpose: str, engine: str = "") -> VectorIndex:
        key = (deployment_id, purpose, engine)
        with self._lock:
            if key in self._indexes:
                return self._indexes[key]
            import numpy as np

            index = self._factory(self._dimension if self._engines is None else self._engines.get(engine, 0))
            ids: list[str] = []
            vectors: list[np.ndarray] = []
            with self._store.transaction(readonly=True) as tx:
                for t in tx.templates.gallery(deployment_id, purpose):
                    if self._engine_of(t.record.engine, t.record.engine_version) != engine:
                        continue  # another engine's space: its own index, or not searched at all
                    aad = template_aad(deployment_id, t.record.subject_id, purpose)
                    vectors.append(np.frombuffer(self._keys.open(t.key, t.sealed, aad), dtype=np.float32))
                    ids.append(t.record.id)
                    self._owner[t.record.id] = (t.record.subject_id, f"{deployment_id}|{purpose}")
            if ids:
                index.add(ids, np.stack(vectors))
            self._indexes[key] = index
            return index

    def search(self, deployment_id: str, purpose: str, probe: np.ndarray, k: int,
               engine: str = "") -> list[tuple[str, str, float]]:
        index = self._load(deployment_id, purpose, engine)
        hits = index.search(probe, k)  # outside the lock: indexes take concurrent readers
        with self._lock:  # a template removed meanwhile is dropped here
            return [(tid, self._owner[tid][0], dist) for tid, dist in hits if tid in self._owner]

    def size(self, deployment_id: str, purpose: str, engine: str = "") -> int:
        return len(self._load(deployment_id, purpose, engine))

    def added(self, deployment_id: str, purpose: str, template_id: str, subject_id: str, vector: np.ndarray,
              engine: str = "") -> None:
        with self._lock:
            index = self._indexes.get((deployment_id, purpose, engine))
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
        """Add one template another node enrolled, if its index is loaded here (idempotent: replays are safe)."""
        with self._lock:
            if template_id in self._owner:
                return  # this node's own enrolment, or a change replayed twice
        with self._store.transaction(readonly=True) as tx:
            t = tx.templates.get_sealed(template_id)
        if t is None:
            return  # removed again since
        import numpy as np

        d, p, e = t.record.deployment_id, t.record.purpose, self._engine_of(t.record.engine, t.record.engine_version)
        vector = np.frombuffer(self._keys.open(t.key, t.sealed, template_aad(d, t.record.subject_id, p)), np.float32)
        with self._lock:
            # Checked under the lock that _load holds while it reads the store: either the index is
            # here and gets the template, or it loads later and reads it from the store itself.
            if (d, p, e) in self._indexes and template_id not in self._owner:
                self._indexes[(d, p, e)].add([template_id], vector.reshape(1, -1))
                self._owner[template_id] = (t.record.subject_id, f"{d}|{p}")

    def invalidate(self, deployment_id: str | None = None) -> None:
        """Drop cached indexes (all, or one deployment's) so they reload from the store."""
        with self._lock:
            for key in [k for k in self._indexes if deployment_id in (None, k[0])]:
                del self._indexes[key]
