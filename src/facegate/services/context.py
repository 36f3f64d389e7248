"""The plain values every use case needs, handed in by bootstrap."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from facegate.domain.model import Deployment
from facegate.domain.liveness import LivenessRules, Step, new_steps
from facegate.domain.openset import Calibration
from facegate.services.key_cache import KeyCache
from facegate.ports import ChallengeStore, Clock, FaceEngine, FaceOptions, KeyProvider, SpoofDetector, Store, UnitOfWork

if TYPE_CHECKING:  # annotations only (issue 14: commands that never touch a face do not load numpy)
    import numpy as np


class Gallery(Protocol):
    """1:N search over the unsealed templates of one deployment and purpose, in memory only."""

    def search(self, deployment_id: str, purpose: str, probe: np.ndarray, k: int,
               engine: str = "") -> list[tuple[str, str, float]]:
        """Return (template_id, subject_id, distance) ascending, among ``engine``'s templates only."""
        ...

    def added(self, deployment_id: str, purpose: str, template_id: str, subject_id: str, vector: np.ndarray,
              engine: str = "") -> None: ...

    def removed(self, template_ids: list[str]) -> None: ...

    def size(self, deployment_id: str, purpose: str, engine: str = "") -> int:
        """Templates a search compares against (loads the index if needed)."""
        ...

    def invalidate(self, deployment_id: str | None = None) -> None: ...


class Guard(Protocol):
    """Intrusion defence hooks (M-14.5), keyed by the subject's pseudonym."""

    def is_subject_locked(self, subject_key: str) -> bool: ...

    def verify_result(self, subject_key: str, matched: bool, actor: str, client: str | None,
                      deployment_id: str | None = None) -> None: ...

    def identify_result(self, matched: bool, actor: str, client: str | None) -> None: ...

    def lift(self, subject_key: str) -> None: ...

    def unblock_client(self, client: str) -> None: ...


class OpenGuard:
    """No defence: for unit tests and tools that run offline."""

    def is_subject_locked(self, subject_key: str) -> bool:
        return False

    def verify_result(self, subject_key: str, matched: bool, actor: str, client: str | None,
                      deployment_id: str | None = None) -> None:
        return None

    def lift(self, subject_key: str) -> None:
        return None

    def unblock_client(self, client: str) -> None:
        return None

    def identify_result(self, matched: bool, actor: str, client: str | None) -> None:
        return None


class SecretCodec(Protocol):
    """API-key secrets: made, hashed and compared outside the core (no crypto imports here)."""

    def generate(self) -> tuple[str, str]: ...  # (key_id, token)

    def hash(self, secret: str) -> str: ...

    def matches(self, secret: str, stored_hash: str) -> bool: ...


class Auditor(Protocol):
    """What checking the record needs: its hash function and the checkpoint keys."""

    algorithm: str

    def hash(self, data: bytes) -> bytes: ...

    def verify_signature(self, data: bytes, sig: bytes, key_id: str) -> bool: ...

    def public_keys(self) -> dict[str, str]: ...


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
    secrets: SecretCodec | None = None
    # (tx, deployment_id, now) -> is the impact assessment out of date past its grace period? (M-9.5)
    assessment_check: Callable[[UnitOfWork, Deployment, datetime], bool] | None = None
    # (tx, processor_id, now): a person's face data was stored for the first time. Records the
    # day's stored count at the write, so the 100,000 date is the day it happened (M-15.2).
    people_stored: Callable[[UnitOfWork, str, datetime], None] | None = None
    auditor: Auditor | None = None
    # Liveness (docs/liveness.md): challenges shared by every node; tests may fix the step order.
    challenges: ChallengeStore | None = None
    liveness_rules: LivenessRules = field(default_factory=LivenessRules)
    liveness_steps: Callable[[int], tuple[Step, ...]] = lambda n: new_steps(secrets.randbelow, n)
    spoof_detector: SpoofDetector | None = None
    # Open-set 1:N (domain/openset.py): the engine's calibration and the targets it is held to.
    calibration: Calibration | None = None
    # A planned engine switch (docs/engines.md): engines kept only to match the templates they made
    # until those are replaced or expire, and their shipped calibrations by EngineId.key.
    legacy_engines: tuple[FaceEngine, ...] = ()
    legacy_calibrations: dict[str, Calibration] = field(default_factory=dict)
    identify_target_fpir: float = 0.01
    identify_margin: float = 0.02
    identify_max_miss: float = 0.10
    # Checked API keys, held for a moment (services/key_cache.py); dropped at once when a key changes.
    key_cache: KeyCache = field(default_factory=KeyCache)

    def __repr__(self) -> str:
        return f"ServiceContext(engine={self.engine.name!r}, threshold={self.threshold})"
