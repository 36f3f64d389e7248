"""Small ONNX models in the InsightFace layout, built by the tests (nothing is downloaded).

``detector``: SCRFD's input and outputs (``input.1`` [1, 3, 640, 640]; scores, box
and landmark distances for strides 8/16/32, 2 anchors per place), reporting fixed
faces with plausible frontal landmarks; the scores are gated on the input's mean,
so an all-dark image shows no face.
``recognizer``: ArcFace's input and output (``input.1`` [N, 3, 112, 112] -> [N, 512]),
a fixed random projection of the block-averaged pixels: a deterministic embedding
of what the aligned chip shows, so the same photo matches itself and different
photos differ.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

SIZE = 640
STRIDES = (8, 16, 32)
ANCHORS = 2
# Faces in the detector's 640x640 input: left, top, right, bottom (inside any letter-boxed photo
# whose shorter side maps to at least 480 px).
ONE_FACE = ((120.0, 100.0, 320.0, 340.0),)


def landmarks(box: tuple[float, float, float, float]) -> np.ndarray:
    """Frontal five points (eyes, nose tip, mouth corners) placed as on an average face in ``box``."""
    l, t, r, b = box
    w, h = r - l, b - t
    rel = np.array([[0.32, 0.40], [0.68, 0.40], [0.50, 0.58], [0.36, 0.78], [0.64, 0.78]])
    return np.stack([l + rel[:, 0] * w, t + rel[:, 1] * h], axis=1)


def _model(nodes: list[onnx.NodeProto], inputs: list[onnx.ValueInfoProto], outputs: list[onnx.ValueInfoProto],
           inits: list[onnx.TensorProto], name: str) -> bytes:
    graph = helper.make_graph(nodes, name, inputs, outputs, initializer=inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], producer_name="facegate-tests")
    model.ir_version = 8
    onnx.checker.check_model(model)
    data: bytes = model.SerializeToString()
    return data


def detector(faces: tuple[tuple[float, float, float, float], ...] = ONE_FACE, *, batched: bool = False,
             scores: tuple[float, ...] | None = None) -> bytes:
    outs: dict[str, list[np.ndarray]] = {"score": [], "bbox": [], "kps": []}
    for stride in STRIDES:
        side = SIZE // stride
        rows = side * side * ANCHORS
        score, bbox, kps = np.zeros((rows, 1), np.float32), np.zeros((rows, 4), np.float32), np.zeros((rows, 10), np.float32)
        if stride == 32:  # each face on the anchor at its centre, stride 32
            for i, box in enumerate(faces):
                l, t, r, b = box
                cx, cy = int((l + r) / 2) // stride, int((t + b) / 2) // stride
                row = (cy * side + cx) * ANCHORS
                ax, ay = cx * stride, cy * stride
                score[row, 0] = 0.9 if scores is None else scores[i]
                bbox[row] = [(ax - l) / stride, (ay - t) / stride, (r - ax) / stride, (b - ay) / stride]
                kps[row] = ((landmarks(box) - [ax, ay]) / stride).ravel()
        outs["score"].append(score)
        outs["bbox"].append(bbox)
        outs["kps"].append(kps)
    nodes = [helper.make_node("ReduceMean", ["input.1"], ["mean"], keepdims=0),
             helper.make_node("Add", ["mean", "bias"], ["shifted"]),
             helper.make_node("Mul", ["shifted", "gain"], ["logit"]),
             helper.make_node("Sigmoid", ["logit"], ["gate"])]
    inits = [numpy_helper.from_array(np.array(0.9, np.float32), "bias"),
             numpy_helper.from_array(np.array(1000.0, np.float32), "gain")]
    outputs = []
    n = 0
    for kind, width in (("score", 1), ("bbox", 4), ("kps", 10)):
        for arr in outs[kind]:
            n += 1
            value = arr[None] if batched else arr
            const, out = f"{kind}_{n}_const", f"{400 + n}"  # InsightFace's exports have numeric output names
            inits.append(numpy_helper.from_array(value, const))
            nodes.append(helper.make_node("Mul" if kind == "score" else "Identity",
                                          [const, "gate"] if kind == "score" else [const], [out]))
            shape = [1, *value.shape[1:]] if batched else list(value.shape)
            outputs.append(helper.make_tensor_value_info(out, TensorProto.FLOAT, shape))
    inputs = [helper.make_tensor_value_info("input.1", TensorProto.FLOAT, [1, 3, SIZE, SIZE])]
    return _model(nodes, inputs, outputs, inits, "scrfd_synthetic")


def recognizer(dimension: int = 512, seed: int = 7) -> bytes:
    w = np.random.default_rng(seed).standard_normal((3 * 16 * 16, dimension)).astype(np.float32)
    nodes = [helper.make_node("AveragePool", ["input.1"], ["pooled"], kernel_shape=[7, 7], strides=[7, 7]),
             helper.make_node("Flatten", ["pooled"], ["flat"], axis=1),
             helper.make_node("MatMul", ["flat", "W"], ["683"])]
    inputs = [helper.make_tensor_value_info("input.1", TensorProto.FLOAT, ["N", 3, 112, 112])]
    outputs = [helper.make_tensor_value_info("683", TensorProto.FLOAT, ["N", dimension])]
    return _model(nodes, inputs, outputs, [numpy_helper.from_array(w, "W")], "arcface_synthetic")


def write_models(folder: Path, **detector_kw: object) -> dict[str, str]:
    """Write both models; the FACEGATE_INSIGHTFACE_* settings that name them and their checksums."""
    folder.mkdir(parents=True, exist_ok=True)
    det, rec = folder / "det_synthetic.onnx", folder / "w_synthetic.onnx"
    det.write_bytes(detector(**detector_kw))  # type: ignore[arg-type]
    rec.write_bytes(recognizer())
    return {"insightface_detector": str(det), "insightface_detector_sha256": hashlib.sha256(det.read_bytes()).hexdigest(),
            "insightface_recognizer": str(rec),
            "insightface_recognizer_sha256": hashlib.sha256(rec.read_bytes()).hexdigest()}
