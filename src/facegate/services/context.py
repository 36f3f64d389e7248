"""The plain values every use case needs, handed in by bootstrap."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from facegate.ports import Clock, FaceEngine, FaceOptions, KeyProvider, Store


class Gallery(Protocol):
    """1:N search over the unsealed templates of one deployment and purpose, in memory only."""

    def search(self, deployment_id: str, purpose: str, probe: np.ndarray, k: int) -> list[tuple[str, str, float]]:
        """Return (template_id, subject_id, distance) ascending."""
        ...

    def added(self, deployment_id: str, purpose: str, template_id: str, subject_id: str, vector: np.ndarray) -> None: ...

    def removed(self, template_ids: list[str]) -> None: ...


class Guard(Protocol):
    """Intrusion defence hooks (M-14.5); the default lets everything through."""

    def is_subject_locked(self, subject_ref: str) -> bool: ...

    def face_result(self, subject_ref: str, matched: bool) -> None: ...


class OpenGuard:
    def is_subject_locked(self, subject_ref: str) -> bool:
        return False

    def face_result(self, subject_ref: str, matched: bool) -> None:
        return None


@dataclass
class ServiceContext:
    store: Store
    engine: FaceEngine
    keys: KeyProvider
    clock: Clock
    gallery: Gallery
    threshold: float = 0.6
    face_options: FaceOptions = field(default_factory=FaceOptions)
    guard: Guard = field(default_factory=OpenGuard)
    max_templates_per_subject: int = 5

    def __repr__(self) -> str:
        return f"ServiceContext(engine={self.engine.name!r}, threshold={self.threshold})"
