"""A reader for dlib's serialization format, enough to load a loss_metric ResNet.

dlib writes no layer graph to disk: the network's C++ type is the graph, and the
file holds, in order, the loss layer, one version number per ``add_layer`` /
``add_tag_layer`` / ``add_skip_layer`` from the top down (``serialize`` recurses
into the subnetwork first), then the input layer, then every computational
layer's details from the bottom up. So the caller passes the architecture
(``LayerSpec`` list, top-down, mirroring the C++ type) and this module checks
the file against it while reading the weights.

Encodings (dlib/serialize.h, dlib/float_details.h, dlib/dnn/tensor.h):
integers are one control byte (low nibble = byte count, 0x80 = negative) then the
magnitude little-endian; floats are an integer mantissa and an int16 exponent
(value = mantissa * 2**exponent); strings are a length then bytes; bools are the
characters '1'/'0'; tensors (version 2) are n, k, nr, nc then raw float32 LE.
"""

from __future__ import annotations

import builtins
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np


class DlibFormatError(ValueError):
    """The bytes are not the dlib network the caller described."""


# float_details special exponents
_IS_INF, _IS_NINF, _IS_NAN = 32000, 32001, 32002


class DlibReader:
    """Sequential reader over one serialized dlib object.

    Its methods are named after dlib's serialised types (``int``, ``str``...), so inside the class
    body those names mean the methods: annotations there spell the builtins ``builtins.int``.
    """

    def __init__(self, data: bytes | memoryview) -> None:
        self._buf = memoryview(data)
        self.pos = 0

    def _take(self, n: int) -> memoryview:
        end = self.pos + n
        if n < 0 or end > len(self._buf):
            raise DlibFormatError(f"unexpected end of data at byte {self.pos} (wanted {n})")
        chunk = self._buf[self.pos:end]
        self.pos = end
        return chunk

    @property
    def remaining(self) -> int:
        return len(self._buf) - self.pos

    def int(self) -> int:
        control = self._take(1)[0]
        size = control & 0x0F
        if size > 8 or control & 0x70:
            raise DlibFormatError(f"bad integer control byte 0x{control:02x} at byte {self.pos - 1}")
        value = int.from_bytes(self._take(size), "little") if size else 0
        return -value if control & 0x80 else value

    def float(self) -> float:
        mantissa = self.int()
        exponent = self.int()
        if exponent == _IS_INF:
            return math.inf
        if exponent == _IS_NINF:
            return -math.inf
        if exponent == _IS_NAN:
            return math.nan
        return math.ldexp(mantissa, exponent)

    def str(self) -> str:
        n = self.int()
        return bytes(self._take(n)).decode("latin-1")

    def bool(self) -> bool:
        ch = bytes(self._take(1))
        if ch not in (b"0", b"1"):
            raise DlibFormatError(f"bad bool {ch!r} at byte {self.pos - 1}")
        return ch == b"1"

    def version(self, allowed: Sequence[builtins.int], what: builtins.str) -> builtins.int:
        at = self.pos
        v = self.int()
        if v not in allowed:
            raise DlibFormatError(f"{what}: version {v} at byte {at}, expected one of {list(allowed)}")
        return v

    def tag(self, allowed: Sequence[builtins.str], what: builtins.str) -> builtins.str:
        at = self.pos
        s = self.str()
        if s not in allowed:
            raise DlibFormatError(f"{what}: found {s!r} at byte {at}, expected one of {list(allowed)}")
        return s

    def tensor(self) -> np.ndarray:
        """A resizable_tensor as float32 of shape (n, k, nr, nc)."""
        v = self.version((1, 2), "tensor")
        shape = tuple(self.int() for _ in range(4))
        if any(d < 0 for d in shape):
            raise DlibFormatError(f"negative tensor shape {shape}")
        count = shape[0] * shape[1] * shape[2] * shape[3]
        if v == 2:
            raw = self._take(4 * count)
            arr = np.frombuffer(raw, dtype="<f4").astype(np.float32)
        else:  # version 1: every element in float_details form
            arr = np.array([self.float() for _ in range(count)], dtype=np.float32)
        return arr.reshape(shape)

    def alias_tensor(self) -> tuple[builtins.int, builtins.int, builtins.int, builtins.int]:
        self.version((1,), "alias_tensor")
        n, k, nr, nc = (self.int() for _ in range(4))
        return (n, k, nr, nc)


# --- architecture (what the C++ type says) ------------------------------------------

@dataclass(frozen=True)
class LayerSpec:
    """One element of the network type, top-down.

    kind: con, affine, relu, max_pool, avg_pool, add_prev, fc, tag, skip.
    For con: (num_filters, nr, nc, stride_y, stride_x); pools: (nr, nc, sy, sx);
    fc: (num_outputs,); tag/skip/add_prev: (tag_id,).
    """

    kind: str
    args: tuple[int, ...] = ()


COMPUTATIONAL = {"con", "affine", "relu", "max_pool", "avg_pool", "add_prev", "fc"}


@dataclass
class Layer:
    """One layer as read from the file, with its weights if it has any."""

    kind: str
    args: tuple[int, ...] = ()
    weights: dict[str, np.ndarray] = field(default_factory=dict)
    attrs: dict[str, int] = field(default_factory=dict)


@dataclass
class DlibNetwork:
    loss: str
    loss_params: dict[str, float]
    input_kind: str
    input_means: tuple[float, float, float]
    input_size: tuple[int, int]
    layers: list[Layer]  # bottom-up: first one reads the input


def _read_details(r: DlibReader, spec: LayerSpec) -> Layer:
    kind = spec.kind
    layer = Layer(kind, spec.args)
    if kind == "con":
        r.tag(("con_4",), "con_")
        params = r.tensor()
        num_filters, nr, nc, sy, sx = (r.int() for _ in range(5))
        pad_y, pad_x = r.int(), r.int()
        f_shape = r.alias_tensor()
        b_shape = r.alias_tensor()
        for _ in range(4):
            r.float()  # learning-rate and weight-decay multipliers
        if (num_filters, nr, nc, sy, sx) != spec.args:
            raise DlibFormatError(f"con_ is {(num_filters, nr, nc, sy, sx)}, expected {spec.args}")
        flat = params.reshape(-1)
        nf = int(np.prod(f_shape))
        if nf + int(np.prod(b_shape)) != flat.size or f_shape[0] != num_filters:
            raise DlibFormatError("con_ parameter sizes do not add up")
        layer.weights = {"W": flat[:nf].reshape(f_shape), "B": flat[nf:].copy()}
        layer.attrs = {"pad_y": pad_y, "pad_x": pad_x}
    elif kind == "affine":
        r.tag(("affine_",), "affine_")
        params = r.tensor().reshape(-1)
        g_shape = r.alias_tensor()
        b_shape = r.alias_tensor()
        mode = r.int()
        ng = int(np.prod(g_shape))
        if ng + int(np.prod(b_shape)) != params.size:
            raise DlibFormatError("affine_ parameter sizes do not add up")
        layer.weights = {"gamma": params[:ng].copy(), "beta": params[ng:].copy()}
        layer.attrs = {"mode": mode}  # 0 = CONV_MODE (per channel), 1 = FC_MODE
    elif kind == "relu":
        r.tag(("relu_",), "relu_")
    elif kind in ("max_pool", "avg_pool"):
        r.tag((f"{kind}_2",), f"{kind}_")
        nr, nc, sy, sx = (r.int() for _ in range(4))
        pad_y, pad_x = r.int(), r.int()
        if (nr, nc, sy, sx) != spec.args:
            raise DlibFormatError(f"{kind} is {(nr, nc, sy, sx)}, expected {spec.args}")
        layer.attrs = {"pad_y": pad_y, "pad_x": pad_x}
    elif kind == "add_prev":
        r.tag(("add_prev_",), "add_prev_")
    elif kind == "fc":
        r.tag(("fc_2",), "fc_")
        num_outputs, num_inputs = r.int(), r.int()
        params = r.tensor().reshape(-1)
        w_shape = r.alias_tensor()
        b_shape = r.alias_tensor()
        bias_mode = r.int()  # 0 = FC_HAS_BIAS, 1 = FC_NO_BIAS
        for _ in range(4):
            r.float()
        if num_outputs != spec.args[0]:
            raise DlibFormatError(f"fc_ has {num_outputs} outputs, expected {spec.args[0]}")
        nw = num_inputs * num_outputs
        if int(np.prod(w_shape)) != nw:
            raise DlibFormatError("fc_ weight shape does not match inputs x outputs")
        layer.weights = {"W": params[:nw].reshape(num_inputs, num_outputs)}
        if bias_mode == 0:
            layer.weights["B"] = params[nw:nw + int(np.prod(b_shape))].copy()
    else:
        raise DlibFormatError(f"no reader for layer kind {kind!r}")
    return layer


def _skip_layer_state(r: DlibReader, version: int, bottom: bool) -> None:
    """The training state add_layer writes after the details; empty in published models."""
    for _ in range(3):  # setup_called, gradient_input_is_stale, output_disabled
        r.bool()
    r.tensor()  # x_grad
    r.tensor()  # cached_output
    if bottom:
        r.tensor()  # grad_final
        if version >= 3:
            r.int()  # sample_expansion_factor
    elif version >= 2:
        r.tensor()  # params_grad


def read_network(data: bytes | memoryview, arch: Sequence[LayerSpec]) -> DlibNetwork:
    """Parse a serialized ``loss_metric<...<input_rgb_image_sized<N>>>`` network."""
    r = DlibReader(data)
    r.version((1,), "add_loss_layer")
    loss = r.tag(("loss_metric_", "loss_metric_2"), "loss layer")
    loss_params: dict[str, float] = {}
    if loss == "loss_metric_2":
        loss_params = {"margin": r.float(), "dist_thresh": r.float()}

    # Version prefix, top-down; the last computational layer sits on the input layer.
    comp_index = [i for i, s in enumerate(arch) if s.kind in COMPUTATIONAL]
    if not comp_index or comp_index[-1] != len(arch) - 1:
        raise DlibFormatError("the architecture must end with a computational layer")
    versions: dict[int, int] = {}
    for i, spec in enumerate(arch):
        if spec.kind in ("tag", "skip"):
            r.version((1,), f"add_{spec.kind}_layer #{i}")
        elif i == len(arch) - 1:
            versions[i] = r.version((2, 3), "input add_layer")
        else:
            versions[i] = r.version((1, 2), f"add_layer #{i} ({spec.kind})")

    input_kind = r.tag(("input_rgb_image_sized",), "input layer")
    means = (r.float(), r.float(), r.float())
    size = (r.int(), r.int())

    layers_bottom_up: list[Layer] = []
    for i in reversed(range(len(arch))):
        spec = arch[i]
        if spec.kind in ("tag", "skip"):
            layers_bottom_up.append(Layer(spec.kind, spec.args))
            continue
        layer = _read_details(r, spec)
        _skip_layer_state(r, versions[i], bottom=(i == len(arch) - 1))
        layers_bottom_up.append(layer)
    if r.remaining:
        raise DlibFormatError(f"{r.remaining} trailing bytes after the network")
    return DlibNetwork(loss, loss_params, input_kind, means, size, layers_bottom_up)
