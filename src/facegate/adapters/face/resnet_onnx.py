"""dlib's face-recognition ResNet, converted once to ONNX and run on onnxruntime.

The network is ``dlib_face_recognition_resnet_model_v1.dat`` from the
``face-recognition-models`` package: same weights, same arithmetic (float32),
descriptors that agree with dlib's to cosine >= 0.9999, at a fraction of the
cost because onnxruntime uses vectorised kernels and batches.

The conversion is deterministic and takes a few seconds; the ``.onnx`` file is
cached with a manifest holding the sha256 of the source ``.dat`` and of the
graph, and is rebuilt when either does not match.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import threading
from pathlib import Path

import numpy as np

from facegate.adapters.face.dlib_format import DlibNetwork, LayerSpec, read_network

CHIP_SIZE = 150
DIMENSION = 128
CONVERTER_VERSION = "1"
MODEL_FILENAME = "dlib_face_recognition_resnet_model_v1.onnx"
MANIFEST_FILENAME = "dlib_face_recognition_resnet_model_v1.json"


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
        self.nodes: list = []
        self.inits: list = []
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

    def node(self, op: str, inputs: list[str], shape: tuple[int, int, int] | None, **attrs: object) -> str:
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


def build_onnx(net: DlibNetwork):  # -> onnx.ModelProto
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


# --- cache ----------------------------------------------------------------------------

def default_dat_path() -> Path:
    import face_recognition_models

    return Path(face_recognition_models.face_recognition_model_location())


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _atomic_write(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(prefix=path.name, dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def convert(dat_bytes: bytes) -> bytes:
    """The ONNX model bytes for a dlib face-recognition ``.dat`` file's bytes."""
    net = read_network(dat_bytes, face_resnet_v1())
    return build_onnx(net).SerializeToString(deterministic=True)


def ensure_model(cache_dir: str | os.PathLike[str], dat_path: str | os.PathLike[str] | None = None) -> Path:
    """Return the cached ``.onnx`` path, converting (again) if missing, stale or corrupt."""
    cache = Path(cache_dir)
    cache.mkdir(parents=True, exist_ok=True)
    model_path, manifest_path = cache / MODEL_FILENAME, cache / MANIFEST_FILENAME
    dat_bytes = Path(dat_path or default_dat_path()).read_bytes()
    dat_sha = _sha256(dat_bytes)
    try:
        manifest = json.loads(manifest_path.read_text())
        if (manifest.get("source_sha256") == dat_sha
                and manifest.get("converter") == CONVERTER_VERSION
                and _sha256(model_path.read_bytes()) == manifest.get("onnx_sha256")):
            return model_path
    except (OSError, ValueError):
        pass
    onnx_bytes = convert(dat_bytes)
    _atomic_write(model_path, onnx_bytes)
    _atomic_write(manifest_path, json.dumps({
        "source": "dlib_face_recognition_resnet_model_v1.dat",
        "source_sha256": dat_sha,
        "onnx_sha256": _sha256(onnx_bytes),
        "converter": CONVERTER_VERSION,
    }, indent=2, sort_keys=True).encode())
    return model_path


# --- the describer ------------------------------------------------------------------

class ResnetOnnxDescriber:
    """Face chips in, dlib-compatible 128-d descriptors out, one onnxruntime run per batch.

    ``cache_dir`` receives the converted model (the service passes ``<data_dir>/models/``).
    ``threads``: onnxruntime intra-op threads (default: the CPU count, at most 4).
    ``max_batch``: split larger inputs into runs of this many chips (default: one run).
    Thread-safe: onnxruntime sessions accept concurrent ``run`` calls.
    """

    name = "dlib-resnet-onnx"
    dimension = DIMENSION
    chip_size = CHIP_SIZE
    chip_padding = 0.25

    def __init__(self, cache_dir: str | os.PathLike[str], *, dat_path: str | os.PathLike[str] | None = None,
                 threads: int | None = None, max_batch: int | None = None, spin: bool = False) -> None:
        self._cache_dir = Path(cache_dir)
        self._dat_path = dat_path
        self._threads = threads if threads is not None else max(1, min(os.cpu_count() or 1, 4))
        self._max_batch = max_batch
        self._spin = spin
        self._session = None
        self._lock = threading.Lock()

    @classmethod
    def from_cache(cls, cache_dir: str | os.PathLike[str], **kwargs: object) -> ResnetOnnxDescriber:
        """Convert (if needed) and open the session now, so a broken install fails at start."""
        describer = cls(cache_dir, **kwargs)  # type: ignore[arg-type]
        describer._get_session()
        return describer

    @staticmethod
    def is_available() -> bool:
        try:
            import face_recognition_models  # noqa: F401
            import onnx  # noqa: F401
            import onnxruntime  # noqa: F401
        except ImportError:
            return False
        return True

    def _get_session(self):  # -> onnxruntime.InferenceSession
        if self._session is None:
            with self._lock:
                if self._session is None:
                    import onnxruntime as ort

                    path = ensure_model(self._cache_dir, self._dat_path)
                    opts = ort.SessionOptions()
                    # One request's batch uses every core; requests queue rather than
                    # oversubscribe a small machine.
                    opts.intra_op_num_threads = self._threads
                    opts.inter_op_num_threads = 1
                    opts.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
                    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
                    opts.log_severity_level = 3
                    # Busy-waiting workers steal the cores from the web server and the
                    # detector between runs; a little latency is the better trade here.
                    opts.add_session_config_entry("session.intra_op.allow_spinning", "1" if self._spin else "0")
                    self._session = ort.InferenceSession(str(path), sess_options=opts,
                                                         providers=["CPUExecutionProvider"])
        return self._session

    def warm_up(self) -> None:
        self.describe(np.zeros((1, CHIP_SIZE, CHIP_SIZE, 3), dtype=np.uint8))

    def describe(self, chips: np.ndarray) -> np.ndarray:
        """uint8 (N, 150, 150, 3) RGB chips -> float32 (N, 128) descriptors."""
        chips = np.asarray(chips)
        if chips.ndim == 3:
            chips = chips[None]
        if chips.dtype != np.uint8 or chips.shape[1:] != (CHIP_SIZE, CHIP_SIZE, 3):
            raise ValueError(f"chips must be uint8 (N, {CHIP_SIZE}, {CHIP_SIZE}, 3), got {chips.dtype} {chips.shape}")
        if len(chips) == 0:
            return np.zeros((0, DIMENSION), dtype=np.float32)
        session = self._get_session()
        chips = np.ascontiguousarray(chips)
        step = self._max_batch or len(chips)
        parts = [session.run(["descriptors"], {"chips": chips[i:i + step]})[0]
                 for i in range(0, len(chips), step)]
        return np.ascontiguousarray(np.concatenate(parts).astype(np.float32, copy=False))


OnnxDescriber = ResnetOnnxDescriber  # the name bootstrap imports
