"""An SCRFD-style face detector (InsightFace layout) on onnxruntime: boxes, scores and five landmarks.

The layout is InsightFace's ``det_10g.onnx`` / ``scrfd_*_kps.onnx``: one input
``[1, 3, 640, 640]`` (RGB, (x - 127.5) / 128), nine outputs in the order
scores, box distances and landmark distances for strides 8, 16 and 32 (each
``[rows, 1]``, ``[rows, 4]``, ``[rows, 10]``, with or without a leading batch
axis; ``rows`` = (640 / stride)^2 x anchors per place, usually 2). Decoding
follows InsightFace's ``scrfd.py``: distances are in stride units from each
anchor centre. The image is letter-boxed into the input (top-left, zero
padding), so coordinates scale back by one factor.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from PIL import Image

from facegate.adapters.face.onnx_models import invalid

INPUT_SIZE = 640
STRIDES = (8, 16, 32)
WHAT = "detector"


@dataclass(frozen=True)
class Detections:
    """Faces found in one image, best score first, in the image's own pixel coordinates."""

    boxes: np.ndarray  # (n, 4) float32 left, top, right, bottom
    landmarks: np.ndarray  # (n, 5, 2) float32: eye, eye, nose tip, mouth corner, mouth corner (image-left first)
    scores: np.ndarray  # (n,) float32


def letterbox(rgb: np.ndarray, size: int = INPUT_SIZE) -> tuple[np.ndarray, float]:
    """The (1, 3, size, size) float32 input and the scale from image to input pixels."""
    h, w = rgb.shape[:2]
    scale = min(size / h, size / w)
    nw, nh = max(1, int(round(w * scale))), max(1, int(round(h * scale)))
    resized = np.asarray(Image.fromarray(rgb).resize((nw, nh), Image.Resampling.BILINEAR), dtype=np.uint8)
    canvas = np.zeros((3, size, size), dtype=np.float32)
    canvas[:, :nh, :nw] = resized.transpose(2, 0, 1)
    canvas -= 127.5  # in place: the 640x640 input is the largest array of a request
    canvas *= 1.0 / 128.0
    return canvas[None], scale


def _anchor_centres(stride: int, anchors: int, size: int) -> np.ndarray:
    side = size // stride
    ys, xs = np.mgrid[:side, :side]
    centres = (np.stack([xs, ys], axis=-1).reshape(-1, 2) * stride).astype(np.float32)
    return np.repeat(centres, anchors, axis=0)  # InsightFace stacks each place's anchors together


def nms(boxes: np.ndarray, scores: np.ndarray, iou: float) -> list[int]:
    """Greedy non-maximum suppression; indices kept, best first."""
    order = list(np.argsort(-scores))
    areas = (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])
    keep: list[int] = []
    while order:
        i = order.pop(0)
        keep.append(int(i))
        if not order:
            break
        rest = np.array(order)
        xx1 = np.maximum(boxes[i, 0], boxes[rest, 0])
        yy1 = np.maximum(boxes[i, 1], boxes[rest, 1])
        xx2 = np.minimum(boxes[i, 2], boxes[rest, 2])
        yy2 = np.minimum(boxes[i, 3], boxes[rest, 3])
        inter = np.maximum(0.0, xx2 - xx1) * np.maximum(0.0, yy2 - yy1)
        overlap = inter / np.maximum(areas[i] + areas[rest] - inter, 1e-9)
        order = [int(j) for j, o in zip(rest, overlap) if o <= iou]
    return keep


class ScrfdDetector:
    """Thread-safe: onnxruntime sessions take concurrent ``run`` calls."""

    def __init__(self, session: Any, *, score_threshold: float = 0.5, nms_iou: float = 0.4) -> None:
        self._session = session
        self._score_threshold = score_threshold
        self._nms_iou = nms_iou
        inputs, outputs = session.get_inputs(), session.get_outputs()
        if len(inputs) != 1 or len(inputs[0].shape) != 4 or inputs[0].shape[1] not in (3, "3"):
            raise invalid(WHAT, "one input [1, 3, 640, 640] is expected.", "须有一个 [1, 3, 640, 640] 输入。")
        fixed = [d for d in inputs[0].shape[2:] if isinstance(d, int)]
        if any(d != INPUT_SIZE for d in fixed):
            raise invalid(WHAT, f"the input must be {INPUT_SIZE}x{INPUT_SIZE} or dynamic.",
                          f"输入须为{INPUT_SIZE}x{INPUT_SIZE}或可变尺寸。")
        if len(outputs) != 3 * len(STRIDES):
            raise invalid(WHAT, "nine outputs (scores, boxes, 5 landmarks for strides 8/16/32) are expected; "
                          "a detector without landmarks cannot align faces.",
                          "须有九个输出（步长8/16/32的分数、框和5个关键点）；无关键点的检测器无法对齐人脸。")
        self._input = inputs[0].name

    def _outputs(self, blob: np.ndarray) -> list[np.ndarray]:
        outs = [np.asarray(o, dtype=np.float32) for o in self._session.run(None, {self._input: blob})]
        outs = [o[0] if o.ndim == 3 else o for o in outs]  # batched exports carry a leading axis of 1
        for k, width in ((0, 1), (1, 4), (2, 10)):
            for i, stride in enumerate(STRIDES):
                o = outs[k * len(STRIDES) + i]
                places = (INPUT_SIZE // stride) ** 2
                if o.ndim != 2 or o.shape[1] != width or o.shape[0] % places:
                    raise invalid(WHAT, f"output {k * len(STRIDES) + i} has shape {tuple(o.shape)}; expected "
                                  f"[{places} x anchors, {width}].", f"输出形状{tuple(o.shape)}不符合要求。")
        return outs

    def detect(self, rgb: np.ndarray) -> Detections:
        blob, scale = letterbox(rgb)
        outs = self._outputs(blob)
        boxes, points, scores = [], [], []
        n = len(STRIDES)
        for i, stride in enumerate(STRIDES):
            score = outs[i][:, 0]
            anchors = outs[i].shape[0] // (INPUT_SIZE // stride) ** 2
            keep = np.nonzero(score >= self._score_threshold)[0]
            if not len(keep):
                continue
            centres = _anchor_centres(stride, anchors, INPUT_SIZE)[keep]
            dist = outs[n + i][keep] * stride
            kps = outs[2 * n + i][keep].reshape(-1, 5, 2) * stride
            boxes.append(np.concatenate([centres - dist[:, :2], centres + dist[:, 2:]], axis=1))
            points.append(centres[:, None, :] + kps)
            scores.append(score[keep])
        if not boxes:
            return Detections(np.zeros((0, 4), np.float32), np.zeros((0, 5, 2), np.float32), np.zeros(0, np.float32))
        all_boxes, all_points, all_scores = np.concatenate(boxes), np.concatenate(points), np.concatenate(scores)
        kept = nms(all_boxes, all_scores, self._nms_iou)
        return Detections((all_boxes[kept] / scale).astype(np.float32), (all_points[kept] / scale).astype(np.float32),
                          all_scores[kept].astype(np.float32))
