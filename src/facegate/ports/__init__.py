"""The ports: what the services need from the outside world, as Protocols.

Adapters implement these; ``bootstrap.build_context`` picks which. Storage is a
unit of work (``ports.store``) exposing one small repository per aggregate
(``ports.deployments``, ``ports.subjects``, ``ports.consents``, ...); this
module re-exports them, so ``from facegate.ports import X`` names every port.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from facegate.domain.clock import Clock
from facegate.domain.liveness import Challenge
from facegate.domain.scores import Metric
from facegate.ports.consents import ConsentRepository
from facegate.ports.deployments import DeploymentRepository, DeploymentVersion
from facegate.ports.keys import ApiKeyRepository, KeyProvider, SubjectKeyRepository, WrappedKey
from facegate.ports.record import GalleryChangeLog, RecordRepository
from facegate.ports.security import SecurityEventRepository
from facegate.ports.store import ChangeFeed, Store, UnitOfWork
from facegate.ports.subjects import SealedTemplate, SubjectRepository, TemplateRepository

if TYPE_CHECKING:  # annotations only: commands that never touch a face do not load numpy (issue 14)
    import numpy as np

__all__ = [
    "ApiKeyRepository", "ChallengeStore", "ChangeFeed", "Clock", "ConsentRepository", "DeploymentRepository",
    "DeploymentVersion", "Embedding", "FaceEngine", "FaceObservation", "FaceOptions", "GalleryChangeLog",
    "KeyProvider", "LandmarkEngine", "RecordRepository", "SealedTemplate", "SecurityEventRepository",
    "SpoofDetector", "Store", "SubjectKeyRepository", "SubjectRepository", "TemplateRepository", "UnitOfWork",
    "WrappedKey",
]


# --- face engine -----------------------------------------------------------------

@dataclass(frozen=True)
class FaceOptions:
    """Quality requirements for one image."""

    allow_largest: bool = False  # take the largest face when several are found, dominant or not
    min_face_px: int = 60  # shorter side of the detected box, in pixels
    # adapters/face/quality.py; defaults are for verification, measured on lfw-dev (docs/benchmarks.md)
    dominant_area_ratio: float = 1.25  # the main face is at least this much larger than the next, and central
    min_sharpness: float = 4.0  # variance of the Laplacian of the aligned face
    max_yaw: float = 0.6  # nose offset from the eyes' midline / eye distance
    min_brightness: float = 35.0
    max_brightness: float = 225.0

    def for_enrolment(self) -> FaceOptions:
        """Stricter: a template made from a poor photo fails every later verification."""
        return replace(self, min_face_px=max(self.min_face_px, 80), dominant_area_ratio=max(self.dominant_area_ratio, 2.0),
                       min_sharpness=max(self.min_sharpness, 8.0), max_yaw=min(self.max_yaw, 0.45),
                       min_brightness=max(self.min_brightness, 50.0), max_brightness=min(self.max_brightness, 210.0))


@dataclass(frozen=True)
class Embedding:
    """One face's descriptor and where it was found. Never persisted unsealed."""

    vector: np.ndarray  # float32, shape (dimension,)
    box: tuple[int, int, int, int]  # left, top, right, bottom in the decoded image
    faces_found: int = 1

    def __repr__(self) -> str:  # keep descriptors out of logs and tracebacks
        return f"Embedding(box={self.box}, faces_found={self.faces_found})"


@runtime_checkable
class FaceEngine(Protocol):
    """Image bytes in, one embedding out, or ``ImageRejected`` with a stable code.

    ``name`` and ``version`` identify the embedding space (domain/scores.py ``EngineId``):
    every template records them and only same-engine vectors are compared. ``metric`` says how
    the engine's scores read to people; decisions are on Euclidean distance for every engine.
    """

    name: str
    version: str
    metric: Metric
    dimension: int
    default_threshold: float  # Euclidean distance at or below which two faces match

    def embed(self, image: bytes, options: FaceOptions = FaceOptions()) -> Embedding: ...

    def embed_many(
        self, images: Sequence[bytes], options: FaceOptions = FaceOptions()
    ) -> list[Embedding | Exception]: ...


# --- liveness (docs/liveness.md) ------------------------------------------------------

@dataclass(frozen=True)
class FaceObservation:
    """One camera frame, measured: held in memory for one request, never stored or logged."""

    embedding: Embedding | None  # None when the frame shows no single usable face
    landmarks: tuple[tuple[float, float], ...] = ()  # dlib's five points
    face_rgb: np.ndarray | None = None  # the face box (RGB), for the passive measures and spoof models
    thumb: np.ndarray | None = None  # the whole frame at 64x48 greyscale, for the motion test
    problem: str | None = None  # the ImageRejected code when embedding is None

    def __repr__(self) -> str:
        return f"FaceObservation(problem={self.problem!r}, landmarks={len(self.landmarks)})"


@runtime_checkable
class LandmarkEngine(Protocol):
    """A face engine that also reports landmarks and pixels for the liveness check."""

    def observe_many(self, images: Sequence[bytes], options: FaceOptions = FaceOptions()) -> list[FaceObservation]: ...


class ChallengeStore(Protocol):
    """Liveness challenges shared by every node: each one can be claimed once (database or Redis)."""

    def put(self, challenge: Challenge) -> None: ...

    def claim(self, challenge_id: str, now: datetime) -> Challenge | None:
        """Mark used and return it as it was: ``state`` ISSUED means this caller won the claim."""
        ...

    def seen_before(self, digests: Sequence[str], now: datetime, keep_for: timedelta) -> bool:
        """Remember these frame digests for ``keep_for``; True if any was remembered already."""
        ...


class SpoofDetector(Protocol):
    """A passive anti-spoofing model supplied by the operator: face crop in, attack score out."""

    name: str
    threshold: float  # scores at or above it are attacks

    def score(self, face_rgb: np.ndarray) -> float: ...
