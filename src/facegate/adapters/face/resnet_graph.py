"""dlib's face-recognition ResNet as an ONNX graph: the network type and its translation.

``face_resnet_v1`` spells out ``anet_type`` of dlib's face recognition example;
``build_onnx`` turns the parsed ``.dat`` weights into an opset-17 graph with the
same arithmetic (float32). ``resnet_onnx`` caches the result and runs it.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from facegate.adapters.face.dlib_format import DlibNetwork, LayerSpec

CHIP_SIZE = 150
DIMENSION = 128
CONVERTER_VERSION = "1"


# --- the network type (dlib/examples/dnn_face_recognition_ex.cpp), top-down ---------

def _block(n: int, stride: int) -> list[LayerSpec]:
    # BN<con<N,3,3,1,1,relu<BN<con<N,3,3,stride,stride,SUBNET>>>>> with BN = affine
    return [LayerSpec("affine"), LayerSpec("con", (n, 3, 3, 1, 1)), LayerSpec("relu"),
            LayerSpec("affine"), LayerSpec("con", (n, 3, 3, stride, stride))]


def _ares(n: int) -> list[LayerSpec]:
    # relu<add_prev1<block<N,affine,1,tag1<SUBNET>>>>
    return [LayerSpec("relu"), LayerSpec("add_prev", (1,)), *_block(n, 1), LayerSpec("tag", (1,))]


def _ares_down(n: int) -> list[LayerSpec]:
    # relu<add_prev2<avg_pool<2,2,2,2,skip1<tag2<block<N,affine,2,tag1<SUBNET>>>>>>>
    return [LayerSpec("relu"), LayerSpec("add_prev", (2,)), LayerSpec("avg_pool", (2, 2, 2, 2)),
            LayerSpec("skip", (1,)), LayerSpec("tag", (2,)), *_block(n, 2), LayerSpec("tag", (1,))]


def face_resnet_v1() -> list[LayerSpec]:
    """``anet_type`` of dlib's face recognition example, outermost layer first."""
    return [
        LayerSpec("fc", (DIMENSION,)),
        LayerSpec("avg_pool", (0, 0, 1, 1)),  # avg_pool_everything
        *_ares_down(256),                                      # alevel0
        *_ares(256), *_ares(256), *_ares_down(256),            # alevel1
        *_ares(128), *_ares(128), *_ares_down(128),            # alevel2
        *_ares(64), *_ares(64), *_ares(64), *_ares_down(64),   # alevel3
        *_ares(32), *_ares(32), *_ares(32),                    # alevel4
        LayerSpec("max_pool", (3, 3, 2, 2)), LayerSpec("relu"), LayerSpec("affine"),
        LayerSpec("con", (32, 7, 7, 2, 2)),
    ]


# --- graph building ------------------------------------------------------------------

class _Graph:
    """Collects ONNX nodes while tracking each value's static (C, H, W) shape."""

    def __init__(self) -> None:
        self.nodes: list[Any] = []  # onnx NodeProto
        self.inits: list[Any] = []  # onnx TensorProto
        self.shape: dict[str, tuple[int, int, int]] = {}
        self._n = 0

    def name(self, base: str) -> str:
        self._n += 1
        return f"{base}_{self._n}"

    def const(self, base: str, arr: np.ndarray) -> str:
        from onnx import numpy_helper

        n = self.name(base)
        self.inits.append(numpy_helper.from_array(np.ascontiguousarray(arr), n))
        return n

    def node(self, op: str, inputs: list[str], shape: tuple[int, int, int] | None, **attrs: Any) -> str:
        from onnx import helper

        out = self.name(op.lower())
        self.nodes.append(helper.make_node(op, inputs, [out], name=out, **attrs))
        if shape is not None:
            self.shape[out] = shape
        return out


def _pool_out(size: int, k: int, s: int, p: int) -> int:
    return 1 + (size + 2 * p - k) // s


def _pad_to(g: _Graph, x: str, target: tuple[int, int, int]) -> str:
    c, h, w = g.shape[x]
    if (c, h, w) == target:
        return x
    # dlib's tt::add treats the smaller operand as zero-padded at the far end of each axis.
    pads = np.array([0, 0, 0, 0, 0, target[0] - c, target[1] - h, target[2] - w], dtype=np.int64)
    return g.node("Pad", [x, g.const("pads", pads)], target, mode="constant")


def build_onnx(net: DlibNetwork) -> Any:  # onnx.ModelProto
    """Translate the parsed dlib network into an ONNX graph (opset 17).

    Input ``chips``: uint8 (N, 150, 150, 3) RGB as from ``dlib.get_face_chip``.
    Output ``descriptors``: float32 (N, 128).
    """
    from onnx import TensorProto, helper

    g = _Graph()
    h, w = net.input_size
    # input_rgb_image_sized: (pixel - mean) / 256, channels R, G, B as planes.
    x = g.node("Cast", ["chips"], None, to=TensorProto.FLOAT)
    means = np.array(net.input_means, dtype=np.float32).reshape(1, 1, 1, 3)
    x = g.node("Sub", [x, g.const("mean", means)], None)
    x = g.node("Mul", [x, g.const("scale", np.array(1.0 / 256.0, dtype=np.float32))], None)
    x = g.node("Transpose", [x], (3, h, w), perm=[0, 3, 1, 2])

    tags: dict[int, str] = {}
    layers = net.layers
    i = 0
    while i < len(layers):
        layer = layers[i]
        c_in, hh, ww = g.shape[x]
        if layer.kind == "con":
            wts, bias = layer.weights["W"], layer.weights["B"]
            nxt = layers[i + 1] if i + 1 < len(layers) else None
            if nxt is not None and nxt.kind == "affine" and nxt.attrs["mode"] == 0:
                # Fold the per-channel affine into the convolution: (Wx + b)g + beta.
                gamma, beta = nxt.weights["gamma"], nxt.weights["beta"]
                wts = wts * gamma.reshape(-1, 1, 1, 1)
                bias = bias * gamma + beta
                i += 1
            nf, _, kr, kc = wts.shape
            sy, sx = layer.args[3], layer.args[4]
            py, px = layer.attrs["pad_y"], layer.attrs["pad_x"]
            shape = (nf, _pool_out(hh, kr, sy, py), _pool_out(ww, kc, sx, px))
            x = g.node("Conv", [x, g.const("W", wts.astype(np.float32)), g.const("B", bias.astype(np.float32))],
                       shape, kernel_shape=[kr, kc], strides=[sy, sx], pads=[py, px, py, px])
        elif layer.kind == "affine":
            gamma = layer.weights["gamma"].astype(np.float32)
            beta = layer.weights["beta"].astype(np.float32)
            if layer.attrs["mode"] == 0:
                gamma, beta = gamma.reshape(1, -1, 1, 1), beta.reshape(1, -1, 1, 1)
            else:
                gamma, beta = gamma.reshape(1, c_in, hh, ww), beta.reshape(1, c_in, hh, ww)
            x = g.node("Mul", [x, g.const("gamma", gamma)], (c_in, hh, ww))
            x = g.node("Add", [x, g.const("beta", beta)], (c_in, hh, ww))
        elif layer.kind == "relu":
            x = g.node("Relu", [x], (c_in, hh, ww))
        elif layer.kind in ("max_pool", "avg_pool"):
            nr, nc, sy, sx = layer.args
            py, px = layer.attrs["pad_y"], layer.attrs["pad_x"]
            if nr == 0 and nc == 0 and layer.kind == "avg_pool":
                x = g.node("GlobalAveragePool", [x], (c_in, 1, 1))
            else:
                kr, kc = nr or hh, nc or ww
                shape = (c_in, _pool_out(hh, kr, sy, py), _pool_out(ww, kc, sx, px))
                op = "MaxPool" if layer.kind == "max_pool" else "AveragePool"
                extra = {"count_include_pad": 0} if op == "AveragePool" else {}
                x = g.node(op, [x], shape, kernel_shape=[kr, kc], strides=[sy, sx],
                           pads=[py, px, py, px], **extra)
        elif layer.kind == "tag":
            tags[layer.args[0]] = x
        elif layer.kind == "skip":
            x = tags[layer.args[0]]
        elif layer.kind == "add_prev":
            other = tags[layer.args[0]]
            a, b = g.shape[x], g.shape[other]
            target = (max(a[0], b[0]), max(a[1], b[1]), max(a[2], b[2]))
            x = g.node("Add", [_pad_to(g, x, target), _pad_to(g, other, target)], target)
        elif layer.kind == "fc":
            flat = g.node("Flatten", [x], None, axis=1)
            wts = layer.weights["W"].astype(np.float32)
            if wts.shape[0] != c_in * hh * ww:
                raise ValueError(f"fc expects {wts.shape[0]} inputs, graph gives {c_in * hh * ww}")
            x = g.node("MatMul", [flat, g.const("fcW", wts)], None)
            if "B" in layer.weights:
                x = g.node("Add", [x, g.const("fcB", layer.weights["B"].astype(np.float32))], None)
        i += 1

    out = helper.make_node("Identity", [x], ["descriptors"], name="descriptors")
    graph = helper.make_graph(
        [*g.nodes, out], "dlib_face_recognition_resnet_model_v1",
        [helper.make_tensor_value_info("chips", TensorProto.UINT8, ["N", h, w, 3])],
        [helper.make_tensor_value_info("descriptors", TensorProto.FLOAT, ["N", DIMENSION])],
        initializer=g.inits,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)],
                              producer_name="facegate", producer_version=CONVERTER_VERSION)
    model.ir_version = 8
    return model
