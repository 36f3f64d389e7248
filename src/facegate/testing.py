"""Fakes for unit tests only: a fixed clock and a deterministic face engine."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import numpy as np

from facegate.domain.scores import Metric
from facegate.errors import ImageRejected
from facegate.ports import Embedding, FaceObservation, FaceOptions


class FixedClock:
    """A clock that only moves when told to."""

    def __init__(self, at: datetime | None = None) -> None:
        self.at = at or datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self.at

    def advance(self, **kwargs: float) -> None:
        self.at += timedelta(**kwargs)


class FakeFaceEngine:
    """Maps bytes like b"face:alice:1" to a vector near alice's; anything else is refused.

    Same person, different photo number: distance ~0.2. Different people: >1.0.
    """

    name = "fake"
    version = "1"
    metric = Metric.EUCLIDEAN
    dimension = 128
    default_threshold = 0.6

    @staticmethod
    def _unit(seed: str) -> np.ndarray:
        rng = np.random.default_rng(int.from_bytes(hashlib.sha256(seed.encode()).digest()[:8], "big"))
        v = rng.standard_normal(128)
        return (v / np.linalg.norm(v)).astype(np.float32)

    def embed(self, image: bytes, options: FaceOptions = FaceOptions()) -> Embedding:
        parts = image.decode(errors="replace").split(":")
        if len(parts) != 3 or parts[0] != "face":
            raise ImageRejected("no_face", "No face was found in the image.", "图像中未检测到人脸。")
        person, shot = parts[1], parts[2]
        v = self._unit(person) + 0.2 * self._unit(person + "/" + shot) / np.sqrt(2)
        return Embedding(v.astype(np.float32), (0, 0, 100, 100))

    def embed_many(self, images: Sequence[bytes], options: FaceOptions = FaceOptions()) -> list[Embedding | Exception]:
        out: list[Embedding | Exception] = []
        for image in images:
            try:
                out.append(self.embed(image, options))
            except ImageRejected as exc:
                out.append(exc)
        return out

    def observe_many(self, images: Sequence[bytes], options: FaceOptions = FaceOptions()) -> list[FaceObservation]:
        """Every face frontal and no pixels to compare: a liveness check on it sees no motion."""
        frontal = ((60.0, 40.0), (50.0, 40.0), (20.0, 40.0), (30.0, 40.0), (40.0, 70.0))
        observed: list[FaceObservation] = []
        for e in self.embed_many(images, options):
            if isinstance(e, ImageRejected):
                observed.append(FaceObservation(None, problem=e.code))
            elif isinstance(e, Embedding):
                observed.append(FaceObservation(e, frontal))
            else:  # embed_many returns ImageRejected or Embedding only
                raise e
        return observed
