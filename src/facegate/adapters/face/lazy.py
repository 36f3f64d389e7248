"""A face engine that loads its models on first use (issue 14: start-up).

Loading dlib, the landmark model and the ONNX session takes most of a second; commands that
never touch a face should not pay it, and `facegate serve` starts loading it in the
background (``warm_up``) while it opens the store and binds the port. The first face request
waits for the load; a broken install still fails loudly: on that request, and in the log
and the /healthz answer of a node that warmed up.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from typing import Any

from facegate.domain.scores import Metric
from facegate.ports import Embedding, FaceEngine, FaceOptions

log = logging.getLogger(__name__)

# Known without loading anything: every describer of dlib's ResNet gives the same 128-d vectors.
DLIB_ENGINE_NAME, DLIB_DIMENSION, DLIB_THRESHOLD = "dlib_resnet_v1", 128, 0.6
DLIB_VERSION = "1"  # the model version templates carry (domain/scores.py)


class LazyFaceEngine:
    """The FaceEngine port in front of ``load()``, called once, on first use, from any thread."""

    def __init__(self, load: Callable[[], FaceEngine], name: str = DLIB_ENGINE_NAME,
                 dimension: int = DLIB_DIMENSION, default_threshold: float = DLIB_THRESHOLD,
                 version: str = DLIB_VERSION, metric: Metric = Metric.EUCLIDEAN) -> None:
        self.name, self.dimension, self.default_threshold = name, dimension, default_threshold
        self.version, self.metric = version, metric
        self._load = load
        self._engine: FaceEngine | None = None
        self._lock = threading.Lock()
        self.load_error: str | None = None
        self.warm_up_thread: threading.Thread | None = None
        self._warm_lock = threading.Lock()

    def __repr__(self) -> str:
        return f"LazyFaceEngine({self.name!r}, loaded={self._engine is not None})"

    @property
    def is_loaded(self) -> bool:
        return self._engine is not None

    def get(self) -> FaceEngine:
        if self._engine is None:
            with self._lock:
                if self._engine is None:
                    engine = self._load()
                    if (engine.name, engine.version, engine.dimension) != (self.name, self.version, self.dimension):
                        raise RuntimeError(f"engine {engine.name!r} loaded where {self.name!r} was announced")
                    self._engine = engine
        return self._engine

    def warm_up(self) -> threading.Thread:
        """Load in a background thread now (once); failures are logged and kept for /healthz."""

        def run() -> None:
            try:
                self.get()
            except Exception as exc:  # noqa: BLE001 - reported, and raised again on the first face request
                self.load_error = type(exc).__name__  # the class only: /healthz shows it to callers
                log.error("the face engine failed to load: %s: %s", self.load_error, exc)

        with self._warm_lock:
            if self.warm_up_thread is None:
                self.warm_up_thread = threading.Thread(target=run, name="facegate-engine-load", daemon=True)
                self.warm_up_thread.start()
            return self.warm_up_thread

    def embed(self, image: bytes, options: FaceOptions = FaceOptions()) -> Embedding:
        return self.get().embed(image, options)

    def embed_many(self, images: Sequence[bytes], options: FaceOptions = FaceOptions()) -> list[Embedding | Exception]:
        return self.get().embed_many(images, options)

    def __getattr__(self, attr: str) -> Any:  # observe_many, describer_name, ...: whatever the engine offers
        if attr.startswith("_"):
            raise AttributeError(attr)
        return getattr(self.get(), attr)
