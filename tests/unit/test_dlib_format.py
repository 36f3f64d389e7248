"""dlib serialization reader and the ONNX translation, on hand-made bytes (no files)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from facegate.adapters.face.dlib_format import DlibFormatError, DlibReader, LayerSpec, read_network

# --- a minimal dlib encoder, written from dlib/serialize.h, for round trips ----------


def enc_int(v: int) -> bytes:
    mag = abs(v)
    body = mag.to_bytes(max(1, (mag.bit_length() + 7) // 8), "little")
    return bytes([len(body) | (0x80 if v < 0 else 0)]) + body


def enc_float(v: float) -> bytes:
    if v == 0:
        return enc_int(0) + enc_int(0)
    m, e = math.frexp(v)  # v = m * 2**e, 0.5 <= |m| < 1
    mantissa = int(m * (1 << 53))
    return enc_int(mantissa) + enc_int(e - 53)


def enc_str(s: str) -> bytes:
    return enc_int(len(s)) + s.encode()


def enc_tensor(a: np.ndarray) -> bytes:
    a = np.asarray(a, dtype="<f4")
    shape = a.shape if a.ndim == 4 else (a.size, 1, 1, 1)
    return enc_int(2) + b"".join(enc_int(d) for d in shape) + a.tobytes()


def enc_alias(shape: tuple[int, int, int, int]) -> bytes:
    return enc_int(1) + b"".join(enc_int(d) for d in shape)


EMPTY = enc_tensor(np.zeros((0, 0, 0, 0), dtype=np.float32))
STATE = b"110" + EMPTY + EMPTY + EMPTY  # flags, x_grad, cached_output, params_grad


def enc_con(w: np.ndarray, b: np.ndarray, stride: int, pad: int) -> bytes:
    nf, k, nr, nc = w.shape
    out = enc_str("con_4") + enc_tensor(np.concatenate([w.ravel(), b]))
    out += b"".join(enc_int(v) for v in (nf, nr, nc, stride, stride, pad, pad))
    out += enc_alias(w.shape) + enc_alias((1, nf, 1, 1))
    return out + b"".join(enc_float(1.0) for _ in range(4))


def enc_affine(gamma: np.ndarray, beta: np.ndarray) -> bytes:
    c = gamma.size
    return (enc_str("affine_") + enc_tensor(np.concatenate([gamma, beta]))
            + enc_alias((1, c, 1, 1)) + enc_alias((1, c, 1, 1)) + enc_int(0))


def enc_fc(w: np.ndarray) -> bytes:
    n_in, n_out = w.shape
    return (enc_str("fc_2") + enc_int(n_out) + enc_int(n_in) + enc_tensor(w.ravel())
            + enc_alias((n_in, n_out, 1, 1)) + enc_alias((0, 0, 0, 0)) + enc_int(1)
            + b"".join(enc_float(1.0) for _ in range(4)))


# --- primitives ------------------------------------------------------------------------


@pytest.mark.parametrize("value", [0, 1, -1, 127, 255, 256, -70000, 2**40, -(2**62)])
def test_integers_round_trip(value: int) -> None:
    assert DlibReader(enc_int(value)).int() == value


def test_float_as_dlib_writes_it() -> None:
    # loss_metric_'s margin 0.04 and dist_thresh 0.6 as they appear in the published model.
    r = DlibReader(bytes.fromhex("030ad7a3811c039a99998118"))
    assert r.float() == pytest.approx(0.04, rel=1e-6)
    assert r.float() == pytest.approx(0.6, rel=1e-6)


def test_float_specials_and_strings_and_bools() -> None:
    r = DlibReader(enc_int(0) + enc_int(32000) + enc_int(0) + enc_int(32002) + enc_str("relu_") + b"10")
    assert r.float() == math.inf
    assert math.isnan(r.float())
    assert r.str() == "relu_"
    assert r.bool() is True and r.bool() is False


def test_tensor_version_2_is_raw_little_endian_float32() -> None:
    a = np.arange(24, dtype=np.float32).reshape(2, 3, 2, 2) / 7
    np.testing.assert_array_equal(DlibReader(enc_tensor(a)).tensor(), a)


def test_truncated_and_malformed_input_raise() -> None:
    with pytest.raises(DlibFormatError):
        DlibReader(b"\x02\x01").int()
    with pytest.raises(DlibFormatError):
        DlibReader(b"\x31").int()  # a '1' where an integer belongs
    with pytest.raises(DlibFormatError):
        DlibReader(b"x").bool()


# --- a tiny network of the same shape family, through read_network and build_onnx -----

ARCH = [
    LayerSpec("fc", (3,)),
    LayerSpec("avg_pool", (0, 0, 1, 1)),
    LayerSpec("relu"),
    LayerSpec("add_prev", (2,)),
    LayerSpec("avg_pool", (2, 2, 2, 2)),
    LayerSpec("skip", (1,)),
    LayerSpec("tag", (2,)),
    LayerSpec("affine"),
    LayerSpec("con", (4, 3, 3, 2, 2)),
    LayerSpec("tag", (1,)),
    LayerSpec("relu"),
    LayerSpec("con", (2, 3, 3, 1, 1)),
]
MEANS = (122.782, 117.001, 104.298)


def _tiny_net(rng: np.random.Generator) -> tuple[bytes, dict[str, np.ndarray]]:
    p = {
        "w1": rng.normal(size=(2, 3, 3, 3)).astype(np.float32), "b1": rng.normal(size=2).astype(np.float32),
        "w2": rng.normal(size=(4, 2, 3, 3)).astype(np.float32), "b2": rng.normal(size=4).astype(np.float32),
        "g": rng.normal(size=4).astype(np.float32), "be": rng.normal(size=4).astype(np.float32),
        "fc": rng.normal(size=(4, 3)).astype(np.float32),
    }
    head = enc_int(1) + enc_str("loss_metric_2") + enc_float(0.04) + enc_float(0.6)
    versions = b"".join(
        enc_int(1) if s.kind in ("tag", "skip") else enc_int(3 if i == len(ARCH) - 1 else 2)
        for i, s in enumerate(ARCH))
    inp = enc_str("input_rgb_image_sized") + b"".join(enc_float(m) for m in MEANS) + enc_int(8) + enc_int(8)
    bottom_state = b"110" + EMPTY + EMPTY + EMPTY + enc_int(1)
    body = (enc_con(p["w1"], p["b1"], 1, 1) + bottom_state
            + enc_str("relu_") + STATE
            + enc_con(p["w2"], p["b2"], 2, 0) + STATE
            + enc_affine(p["g"], p["be"]) + STATE
            + enc_str("avg_pool_2") + b"".join(enc_int(v) for v in (2, 2, 2, 2, 0, 0)) + STATE
            + enc_str("add_prev_") + STATE
            + enc_str("relu_") + STATE
            + enc_str("avg_pool_2") + b"".join(enc_int(v) for v in (0, 0, 1, 1, 0, 0)) + STATE
            + enc_fc(p["fc"]) + STATE)
    return head + versions + inp + body, p


def _conv(x: np.ndarray, w: np.ndarray, b: np.ndarray, stride: int, pad: int) -> np.ndarray:
    x = np.pad(x, ((0, 0), (pad, pad), (pad, pad)))
    nf, _, kr, kc = w.shape
    oh, ow = 1 + (x.shape[1] - kr) // stride, 1 + (x.shape[2] - kc) // stride
    out = np.zeros((nf, oh, ow))
    for r in range(oh):
        for c in range(ow):
            patch = x[:, r * stride:r * stride + kr, c * stride:c * stride + kc]
            out[:, r, c] = np.tensordot(w, patch, axes=3) + b
    return out


def _reference(chip: np.ndarray, p: dict[str, np.ndarray]) -> np.ndarray:
    """dlib's semantics, longhand: (pixel-mean)/256, zero-padded add_prev."""
    x = ((chip.astype(np.float64) - np.array(MEANS)) / 256.0).transpose(2, 0, 1)
    t1 = np.maximum(_conv(x, p["w1"], p["b1"], 1, 1), 0)  # 2 x 8 x 8
    t2 = _conv(t1, p["w2"], p["b2"], 2, 0) * p["g"][:, None, None] + p["be"][:, None, None]  # 4 x 3 x 3
    pooled = t1.reshape(2, 4, 2, 4, 2).mean(axis=(2, 4))  # 2 x 4 x 4
    added = np.zeros((4, 4, 4))  # the larger of each axis, as dlib's tt::add does
    added[:, :3, :3] += t2
    added[:2] += pooled
    feat = np.maximum(added, 0).mean(axis=(1, 2))
    return feat @ p["fc"]


def test_read_network_and_onnx_match_dlib_semantics() -> None:
    import onnxruntime

    from facegate.adapters.face.resnet_onnx import build_onnx

    rng = np.random.default_rng(7)
    data, params = _tiny_net(rng)
    net = read_network(data, ARCH)
    assert net.loss_params["dist_thresh"] == pytest.approx(0.6)
    assert net.input_size == (8, 8)
    assert [layer.kind for layer in net.layers] == [s.kind for s in reversed(ARCH)]

    model = build_onnx(net)
    sess = onnxruntime.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    chips = rng.integers(0, 256, size=(3, 8, 8, 3), dtype=np.uint8)
    got = sess.run(None, {"chips": chips})[0]
    want = np.stack([_reference(c, params) for c in chips])
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-4)


def test_read_network_rejects_a_different_architecture() -> None:
    data, _ = _tiny_net(np.random.default_rng(1))
    wrong = [LayerSpec("con", (4, 3, 3, 1, 1)) if s.kind == "con" and s.args[0] == 4 else s for s in ARCH]
    with pytest.raises(DlibFormatError):
        read_network(data, wrong)
    with pytest.raises(DlibFormatError):
        read_network(data + b"\x00", ARCH)
