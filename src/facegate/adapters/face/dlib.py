"""The default face engine: dlib's HOG detector, 5-point alignment and ResNet descriptor.

Detection, alignment and quality checks live here; the 128-d descriptor step is
pluggable (``Describer``) so a faster runtime of the same network can replace
dlib's own without changing any answer.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Protocol

import dlib
import face_recognition_models as models
import numpy as np

from facegate.adapters.face import quality
from facegate.adapters.face.hog_cache import cached_detector_path, frontal_face_detector
from facegate.adapters.face.imaging import MAX_ASPECT, decode_rgb
from facegate.adapters.face.observe import observe_frames
from facegate.domain.scores import Metric
from facegate.errors import ImageRejected
from facegate.ports import Embedding, FaceObservation, FaceOptions

CHIP_SIZE = 150
CHIP_PADDING = 0.25
SMALL_IMAGE_SIDE = 500  # up to this, a second pass upsampled once finds 40-px faces
DETECT_MAX_SIDE = 1000  # above this, detect on a scaled copy; align on the original


class Describer(Protocol):
    """Aligned 150x150 RGB chips in, (N, 128) float32 descriptors out."""

    name: str

    def describe(self, chips: np.ndarray) -> np.ndarray: ...


class DlibDescriber:
    """dlib's own ResNet: no BLAS in the dlib-bin wheel, so about 20x slower a chip than ONNX.

    136 ms against 7 ms a chip in docs/benchmarks.md ("Face descriptor benchmark"); 490 ms against 11 ms
    measured side by side on a loaded 2-core machine (2026-11-29).
    """

    name = "dlib"

    def __init__(self) -> None:
        self._net = dlib.face_recognition_model_v1(models.face_recognition_model_location())
        self._lock = threading.Lock()  # one network instance, not safe to share between threads

    def describe(self, chips: np.ndarray) -> np.ndarray:
        with self._lock:
            out = self._net.compute_face_descriptor([np.ascontiguousarray(c) for c in chips])
        return np.asarray([np.asarray(d) for d in out], dtype=np.float32).reshape(len(chips), 128)


def _too_small(side: int, options: FaceOptions) -> ImageRejected:
    return ImageRejected(
        "face_too_small",
        f"The face is {side} px; at least {options.min_face_px} px is needed.",
        f"人脸尺寸为{side}像素，至少需要{options.min_face_px}像素。",
        detail={"face_px": side, "min_face_px": options.min_face_px},
    )


class _Pair:
    """One HOG detector and one landmark predictor: dlib's objects are not safe to share between threads."""

    def __init__(self, detector_path: Path | None) -> None:
        self.detector = frontal_face_detector(detector_path)
        self.shapes = dlib.shape_predictor(models.pose_predictor_five_point_model_location())


class _Pairs:
    """Each face lookup borrows a pair of its own, so requests on different threads run in parallel.

    The detector releases the GIL while it scans (dlib >= 19.22) and the ONNX describer is
    thread-safe, so nothing serialises concurrent requests. Pairs are kept and reused rather than
    made per thread: threads come and go (the thread pool's idle workers, a TestClient's portal),
    and making a pair costs milliseconds. There are never more pairs than concurrent lookups.
    """

    def __init__(self, detector_path: Path | None) -> None:
        self._detector_path = detector_path
        self._free = [_Pair(detector_path)]  # one now, so a broken install fails at construction
        self._lock = threading.Lock()
        self.made = 1

    @contextmanager
    def borrow(self) -> Iterator[_Pair]:
        with self._lock:
            pair = self._free.pop() if self._free else None
            if pair is None:
                self.made += 1
        pair = pair or _Pair(self._detector_path)
        try:
            yield pair
        finally:
            with self._lock:
                self._free.append(pair)


class DlibFaceEngine:
    """Image bytes to one embedding, with the quality checks the gate relies on; safe to call from many threads."""

    name = "dlib_resnet_v1"  # identifies the model: every Describer of it gives the same vectors
    version = "1"  # dlib_face_recognition_resnet_model_v1.dat
    metric = Metric.EUCLIDEAN
    dimension = 128
    default_threshold = 0.6

    def __init__(self, describer: Describer | None = None, cache_dir: str | os.PathLike[str] | None = None) -> None:
        """``cache_dir`` keeps the HOG detector in dlib's format (hog_cache.py); without it, dlib rebuilds it."""
        self._pairs = _Pairs(None if cache_dir is None else cached_detector_path(cache_dir))
        self._describer = describer or DlibDescriber()

    @property
    def describer_name(self) -> str:
        return self._describer.name

    def embed(self, image: bytes, options: FaceOptions = FaceOptions()) -> Embedding:
        result = self.embed_many([image], options)[0]
        if isinstance(result, Exception):
            raise result
        return result

    def embed_many(
        self, images: Sequence[bytes], options: FaceOptions = FaceOptions()
    ) -> list[Embedding | Exception]:
        """Detect and align each image, then describe all chips in one batch."""
        prepared: list[tuple[np.ndarray, tuple[int, int, int, int], int] | Exception] = []
        for data in images:
            try:
                image = decode_rgb(data, min_side=options.min_face_px, max_aspect=MAX_ASPECT)
                prepared.append(self._chip(image, options))
            except ImageRejected as exc:
                prepared.append(exc)
        chips = [p[0] for p in prepared if not isinstance(p, Exception)]
        vectors = iter(self._describe(np.stack(chips)) if chips else [])
        return [p if isinstance(p, Exception) else Embedding(next(vectors), p[1], p[2]) for p in prepared]

    def _describe(self, chips: np.ndarray) -> np.ndarray:
        return self._describer.describe(chips)  # each describer is thread-safe (DlibDescriber locks itself)

    def _detect(self, rgb: np.ndarray, pair: _Pair) -> list[dlib.rectangle]:
        height, width = rgb.shape[:2]
        longest = max(height, width)
        if longest > DETECT_MAX_SIDE:
            step = int(np.ceil(longest / DETECT_MAX_SIDE))
            small = np.ascontiguousarray(rgb[::step, ::step])
            found = pair.detector(small, 0)
            return [
                dlib.rectangle(r.left() * step, r.top() * step, r.right() * step, r.bottom() * step)
                for r in found
            ]
        found = list(pair.detector(rgb, 0))
        if not found and longest <= SMALL_IMAGE_SIDE:
            # Upsampling finds 40-px faces but costs 4x; only small images that
            # showed nothing at full size need it.
            found = list(pair.detector(rgb, 1))
        return found

    def _small_face_side(self, rgb: np.ndarray, pair: _Pair) -> int | None:
        """Only after nothing was found: look once more, upsampled, so a tiny face is named as such.

        The detector misses faces under about 80 px at full size (40 px when upsampled), so a person
        far from the camera would otherwise hear "no face" instead of "come closer".
        """
        longest = max(rgb.shape[:2])
        # Bounded like the first look: at most a 1000-px image upsampled once (4x its cost), or a
        # small image, which the first look already upsampled once, upsampled twice.
        step = max(1, int(np.ceil(longest / DETECT_MAX_SIDE)))
        small = np.ascontiguousarray(rgb[::step, ::step])
        found = list(pair.detector(small, 2 if longest <= SMALL_IMAGE_SIDE else 1))
        if not found:
            return None
        face = max(found, key=lambda r: r.width() * r.height())
        return int(min(face.width(), face.height()) * step)  # dlib is untyped: its rectangles give ints

    def _chip(self, rgb: np.ndarray, options: FaceOptions) -> tuple[np.ndarray, tuple[int, int, int, int], int]:
        chip, box, found, _ = self._locate(rgb, options)
        return chip, box, found

    def _locate(self, rgb: np.ndarray, options: FaceOptions
                ) -> tuple[np.ndarray, tuple[int, int, int, int], int, tuple[tuple[float, float], ...]]:
        with self._pairs.borrow() as pair:
            faces = self._detect(rgb, pair)
            if not faces:
                small = self._small_face_side(rgb, pair)
                if small is not None and small < options.min_face_px:
                    raise _too_small(small, options)
                raise ImageRejected("no_face", "No face was found in the image.", "图像中未检测到人脸。")
            boxes = [(r.left(), r.top(), r.right(), r.bottom()) for r in faces]
            face = faces[quality.pick_dominant(boxes, rgb.shape[0], rgb.shape[1], options)]
            side = min(face.width(), face.height())
            if side < options.min_face_px:
                raise _too_small(side, options)
            shape = pair.shapes(rgb, face)
        chip = dlib.get_face_chip(rgb, shape, size=CHIP_SIZE, padding=CHIP_PADDING)
        box = (face.left(), face.top(), face.right(), face.bottom())
        points = tuple((float(shape.part(i).x), float(shape.part(i).y)) for i in range(shape.num_parts))
        chip = np.asarray(chip, dtype=np.uint8)
        quality.check(chip, points, options)
        return chip, box, len(faces), points

    def observe_many(self, images: Sequence[bytes], options: FaceOptions = FaceOptions()) -> list[FaceObservation]:
        """Landmarks, the face box and a thumbnail per frame, plus descriptors in one batch (liveness)."""
        return observe_frames(images, options, self._locate, self._describe)

