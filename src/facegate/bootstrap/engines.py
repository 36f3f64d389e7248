"""Which face engines this node runs: the part of the composition root that picks them.

dlib's engine (with the ONNX describer when installed) loads on first use; the operator's
InsightFace-layout models are checked against their SHA-256 at start (docs/engines.md).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from facegate.adapters.face.lazy import LazyFaceEngine
from facegate.domain.scores import Metric, to_distance
from facegate.errors import ConfigurationError
from facegate.ports import FaceEngine
from facegate.services.engines import engine_id
from facegate.settings import Settings

__all__ = ["engine_of", "face_engine", "insightface_engine", "legacy_engines", "match_threshold"]


@lru_cache(maxsize=4)
def insightface_engine(detector: Path | None, detector_sha256: str | None, recognizer: Path | None,
                       recognizer_sha256: str | None) -> FaceEngine:
    """The operator's InsightFace-layout models, checked against their SHA-256 first (never downloaded)."""
    from facegate.adapters.face.insightface import InsightFaceEngine

    return InsightFaceEngine.from_files(detector, detector_sha256, recognizer, recognizer_sha256)


def engine_of(settings: Settings, kind: str) -> FaceEngine:
    """The engine ``kind`` names (``engine`` or ``legacy_engine``), configured from ``settings``.

    dlib's loads on first use (issue 14); the operator's models are checked and opened now, so a
    missing or mismatched file stops the service at start, and their checksum is the engine version.
    """
    if kind == "insightface":
        return insightface_engine(settings.insightface_detector, settings.insightface_detector_sha256,
                                  settings.insightface_recognizer, settings.insightface_recognizer_sha256)
    return LazyFaceEngine(lambda: face_engine(kind, str(settings.data_dir / "models")))


def legacy_engines(settings: Settings, current: FaceEngine) -> tuple[FaceEngine, ...]:
    """The engine kept for older templates during a planned switch (docs/engines.md), if any."""
    if settings.legacy_engine == "none":
        return ()
    old = engine_of(settings, settings.legacy_engine)
    if engine_id(old) == engine_id(current):
        raise ConfigurationError("legacy_engine_same", "FACEGATE_LEGACY_ENGINE is the engine that enrols: a switch "
                                 "needs two different engines.", "FACEGATE_LEGACY_ENGINE与当前引擎相同：切换须为两个不同引擎。")
    return (old,)


def match_threshold(settings: Settings, engine: FaceEngine) -> float:
    """The configured 1:1 threshold in the engine's own scale, as a distance (domain/scores.py)."""
    if settings.match_threshold is None:
        return engine.default_threshold
    return to_distance(Metric(getattr(engine, "metric", Metric.EUCLIDEAN)), settings.match_threshold)


@lru_cache(maxsize=4)
def face_engine(kind: str, models_dir: str) -> FaceEngine:
    """Engines load model files once per process; cached by kind and cache folder."""
    from facegate.adapters.face.dlib import DlibFaceEngine  # dlib and the models: only when a face is needed

    if kind in ("auto", "onnx"):
        try:
            from facegate.adapters.face.resnet_onnx import ResnetOnnxDescriber
        except ImportError:
            if kind == "onnx":
                raise ConfigurationError("engine_unavailable", "The ONNX engine is not installed.") from None
        else:
            return DlibFaceEngine(ResnetOnnxDescriber.from_cache(Path(models_dir)), cache_dir=models_dir)
    return DlibFaceEngine(cache_dir=models_dir)
