"""The second engine family: operator-supplied InsightFace-layout ONNX models behind the FaceEngine port.

An SCRFD-style detector (``scrfd``) finds faces with five landmarks, the same
dominant-face policy and quality gate as the default engine pick and check one
(``quality``), the 5-point similarity transform aligns it to 112x112
(``arcface``), and an ArcFace-style recogniser turns the chips into
L2-normalised vectors compared by cosine similarity (domain/scores.py).

The models are files the operator supplies with their SHA-256 (``onnx_models``);
nothing is downloaded. The engine's version is the recogniser's checksum: two
recognisers are two embedding spaces, and templates of one are never compared
with the other's.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from facegate.adapters.face import quality
from facegate.adapters.face.arcface import ArcFaceRecognizer, align
from facegate.adapters.face.imaging import MAX_ASPECT, decode_rgb
from facegate.adapters.face.observe import Points, observe_frames
from facegate.adapters.face.onnx_models import open_session, read_checked, sha256_of
from facegate.adapters.face.scrfd import ScrfdDetector
from facegate.domain.scores import Metric, distance_for_similarity
from facegate.errors import ImageRejected
from facegate.ports import Embedding, FaceObservation, FaceOptions

ENGINE_NAME = "insightface_arcface"
# Uncalibrated starting point only (docs/engines.md): calibrate on your own people before relying on it.
DEFAULT_SIMILARITY = 0.40

Located = tuple[np.ndarray, tuple[int, int, int, int], int, np.ndarray]  # chip, box, faces found, 5 points


def _too_small(side: int, options: FaceOptions) -> ImageRejected:
    return ImageRejected("face_too_small", f"The face is {side} px; at least {options.min_face_px} px is needed.",
                         f"人脸尺寸为{side}像素，至少需要{options.min_face_px}像素。",
                         detail={"face_px": side, "min_face_px": options.min_face_px})


class InsightFaceEngine:
    """Image bytes to one L2-normalised embedding; thread-safe (onnxruntime sessions take concurrent runs)."""

    name = ENGINE_NAME
    metric = Metric.COSINE

    def __init__(self, detector: ScrfdDetector, recognizer: ArcFaceRecognizer, version: str,
                 similarity_threshold: float = DEFAULT_SIMILARITY) -> None:
        self._detector = detector
        self._recognizer = recognizer
        self.version = version
        self.dimension = recognizer.dimension
        self.default_threshold = distance_for_similarity(similarity_threshold)

    @classmethod
    def from_files(cls, detector: Path | str | None, detector_sha256: str | None, recognizer: Path | str | None,
                   recognizer_sha256: str | None, *, prefix: str = "FACEGATE_INSIGHTFACE",
                   threads: int | None = None) -> InsightFaceEngine:
        """Check both files against their checksums and open them now, so a bad install fails at start."""
        det = read_checked(detector, detector_sha256, "detector", f"{prefix}_DETECTOR")
        rec = read_checked(recognizer, recognizer_sha256, "recogniser", f"{prefix}_RECOGNIZER")
        return cls(ScrfdDetector(open_session(det, "detector", threads)),
                   ArcFaceRecognizer(open_session(rec, "recogniser", threads), rec), sha256_of(rec)[:16])

    def __repr__(self) -> str:
        return f"InsightFaceEngine(version={self.version!r}, dimension={self.dimension})"

    @property
    def describer_name(self) -> str:
        return f"onnx:{self.version}"

    def is_available(self) -> bool:
        return True

    def embed(self, image: bytes, options: FaceOptions = FaceOptions()) -> Embedding:
        result = self.embed_many([image], options)[0]
        if isinstance(result, Exception):
            raise result
        return result

    def embed_many(self, images: Sequence[bytes], options: FaceOptions = FaceOptions()
                   ) -> list[Embedding | Exception]:
        """Detect and align each image, then describe all chips in one batch."""
        prepared: list[Located | Exception] = []
        for data in images:
            try:
                prepared.append(self._locate(decode_rgb(data, min_side=options.min_face_px, max_aspect=MAX_ASPECT),
                                             options))
            except ImageRejected as exc:
                prepared.append(exc)
        chips = [p[0] for p in prepared if not isinstance(p, Exception)]
        vectors = iter(self._recognizer.describe(np.stack(chips)) if chips else [])
        return [p if isinstance(p, Exception) else Embedding(next(vectors), p[1], p[2]) for p in prepared]

    def _locate(self, rgb: np.ndarray, options: FaceOptions) -> Located:
        found = self._detector.detect(rgb)
        if not len(found.scores):
            raise ImageRejected("no_face", "No face was found in the image.", "图像中未检测到人脸。")
        boxes = [(int(round(l)), int(round(t)), int(round(r)), int(round(b))) for l, t, r, b in found.boxes]
        pick = quality.pick_dominant(boxes, rgb.shape[0], rgb.shape[1], options)
        box = boxes[pick]
        side = min(box[2] - box[0], box[3] - box[1])
        if side < options.min_face_px:
            raise _too_small(side, options)
        points = found.landmarks[pick].astype(np.float64)
        chip = align(rgb, points)
        grey = chip.astype(np.float32) @ np.array([0.299, 0.587, 0.114], np.float32)
        # The face inside the ArcFace template: brows to chin, cheek to cheek.
        quality.judge(quality.grey_measures(grey[24:108, 14:98], quality.yaw_of(points[0], points[1], points[2])),
                      options)
        return chip, box, len(boxes), points

    def observe_many(self, images: Sequence[bytes], options: FaceOptions = FaceOptions()) -> list[FaceObservation]:
        """Landmarks, the face box and a thumbnail per frame, plus descriptors in one batch (liveness).

        The liveness rules read dlib's layout (two points per eye, then the nose): each eye centre
        is given twice, so the eyes' midpoints and the nose are where the rules look for them.
        """
        def locate(rgb: np.ndarray, opts: FaceOptions) -> tuple[np.ndarray, tuple[int, int, int, int], int, Points]:
            chip, box, found, p = self._locate(rgb, opts)
            return chip, box, found, tuple((float(x), float(y)) for x, y in (p[0], p[0], p[1], p[1], p[2]))

        return observe_frames(images, options, locate, self._recognizer.describe)
