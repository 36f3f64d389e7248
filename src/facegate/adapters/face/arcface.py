"""An ArcFace-style recogniser (InsightFace layout) and the 5-point alignment it was trained on.

Alignment: the similarity transform (rotation, uniform scale, shift; Umeyama's
least squares, as ``skimage.transform.SimilarityTransform`` that InsightFace
uses) taking the detector's five points onto InsightFace's 112x112 ArcFace
template, then a bilinear warp with pixel centres on integer coordinates (as
``cv2.warpAffine``), black outside the image.

Recogniser: one input ``[N, 3, 112, 112]`` RGB, one output ``[N, D]`` (512 for
``w600k_r50``/``glintr100``), L2-normalised here so that the Euclidean distance
of two templates is sqrt(2 - 2 cos): the cosine rule and the distance rule are
the same decision (domain/scores.py). Input normalisation follows InsightFace's
``arcface_onnx.py``: (x - 127.5) / 127.5, unless the graph starts with its own
Sub and Mul nodes, in which case the pixels go in as they are.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from PIL import Image

from facegate.adapters.face.onnx_models import invalid

CHIP_SIZE = 112
ARCFACE_TEMPLATE = np.array([[38.2946, 51.6963], [73.5318, 51.5014], [56.0252, 71.7366],
                             [41.5493, 92.3655], [70.7299, 92.2041]], dtype=np.float64)
WHAT = "recogniser"


def similarity_transform(src: np.ndarray, dst: np.ndarray = ARCFACE_TEMPLATE) -> np.ndarray:
    """The 2x3 matrix of the similarity transform that best maps ``src`` points onto ``dst`` (Umeyama 1991)."""
    src, dst = np.asarray(src, np.float64), np.asarray(dst, np.float64)
    mu_s, mu_d = src.mean(0), dst.mean(0)
    sc, dc = src - mu_s, dst - mu_d
    cov = dc.T @ sc / len(src)
    u, s, vt = np.linalg.svd(cov)
    d = np.ones(2)
    if np.linalg.det(cov) < 0:
        d[-1] = -1.0  # never a reflection
    rot = u @ np.diag(d) @ vt
    var = (sc ** 2).sum() / len(src)
    scale = float((s * d).sum() / var) if var > 0 else 1.0
    shift = mu_d - scale * rot @ mu_s
    return np.hstack([scale * rot, shift[:, None]])


def warp(rgb: np.ndarray, matrix: np.ndarray, size: int = CHIP_SIZE) -> np.ndarray:
    """Sample the ``size`` x ``size`` chip: output pixel p takes the image at matrix^-1 p, bilinearly.

    Pillow's affine transform does the sampling in C; it puts pixel centres at +0.5, so the
    inverse map is shifted to keep cv2's convention (centres on integer coordinates).
    """
    inv = np.linalg.inv(np.vstack([matrix, [0.0, 0.0, 1.0]]))[:2]
    lin, shift = inv[:, :2], inv[:, 2]
    shift = shift + 0.5 - lin @ np.array([0.5, 0.5])
    coeffs = (lin[0, 0], lin[0, 1], shift[0], lin[1, 0], lin[1, 1], shift[1])
    chip = Image.fromarray(np.ascontiguousarray(rgb)).transform(
        (size, size), Image.Transform.AFFINE, tuple(float(c) for c in coeffs), resample=Image.Resampling.BILINEAR)
    return np.asarray(chip, dtype=np.uint8)


def align(rgb: np.ndarray, points: np.ndarray) -> np.ndarray:
    """The 112x112 ArcFace chip for a face's five points (eyes, nose tip, mouth corners)."""
    return warp(rgb, similarity_transform(points))


def _normalises_itself(model_bytes: bytes) -> bool:
    """InsightFace's rule: a graph that opens with Sub and Mul nodes takes raw 0..255 pixels."""
    import onnx

    ops = {n.op_type for n in onnx.load_from_string(model_bytes).graph.node[:8]}
    return {"Sub", "Mul"} <= ops


class ArcFaceRecognizer:
    """uint8 (N, 112, 112, 3) RGB chips in, L2-normalised float32 (N, D) out. Thread-safe."""

    def __init__(self, session: Any, model_bytes: bytes) -> None:
        self._session = session
        inputs, outputs = session.get_inputs(), session.get_outputs()
        shape = inputs[0].shape if len(inputs) == 1 else []
        if len(shape) != 4 or shape[1] != 3 or any(isinstance(d, int) and d != CHIP_SIZE for d in shape[2:]):
            raise invalid(WHAT, f"one input [N, 3, {CHIP_SIZE}, {CHIP_SIZE}] is expected.",
                          f"须有一个 [N, 3, {CHIP_SIZE}, {CHIP_SIZE}] 输入。")
        if len(outputs) != 1 or len(outputs[0].shape) != 2:
            raise invalid(WHAT, "one output [N, D] is expected.", "须有一个 [N, D] 输出。")
        self._input = inputs[0].name
        self._batched = not isinstance(shape[0], int) or shape[0] != 1
        self._mean, self._std = (0.0, 1.0) if _normalises_itself(model_bytes) else (127.5, 127.5)
        width = outputs[0].shape[1]
        self.dimension = width if isinstance(width, int) else int(self.describe(
            np.zeros((1, CHIP_SIZE, CHIP_SIZE, 3), np.uint8), normalise=False).shape[1])

    def describe(self, chips: np.ndarray, *, normalise: bool = True) -> np.ndarray:
        blob = (np.asarray(chips, np.float32) - self._mean) / self._std
        blob = np.ascontiguousarray(blob.transpose(0, 3, 1, 2))
        if self._batched:
            out = np.asarray(self._session.run(None, {self._input: blob})[0], np.float32)
        else:  # a model exported with a fixed batch of one
            out = np.concatenate([np.asarray(self._session.run(None, {self._input: blob[i:i + 1]})[0], np.float32)
                                  for i in range(len(blob))])
        if out.ndim != 2 or out.shape[0] != len(chips):
            raise invalid(WHAT, f"the output has shape {tuple(out.shape)}.", f"输出形状为{tuple(out.shape)}。")
        if not normalise:
            return out
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return np.ascontiguousarray(out / np.maximum(norms, 1e-12), dtype=np.float32)
