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
import threading
from pathlib import Path
from typing import Any

import numpy as np

from facegate.adapters.atomic_file import atomic_write
from facegate.adapters.face.dlib_format import read_network
from facegate.adapters.face.resnet_graph import CHIP_SIZE, CONVERTER_VERSION, DIMENSION, build_onnx, face_resnet_v1

__all__ = ["CHIP_SIZE", "DIMENSION", "OnnxDescriber", "ResnetOnnxDescriber", "build_onnx", "convert", "ensure_model"]

MODEL_FILENAME = "dlib_face_recognition_resnet_model_v1.onnx"
MANIFEST_FILENAME = "dlib_face_recognition_resnet_model_v1.json"


# --- cache ----------------------------------------------------------------------------

def default_dat_path() -> Path:
    import face_recognition_models

    return Path(face_recognition_models.face_recognition_model_location())


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def convert(dat_bytes: bytes) -> bytes:
    """The ONNX model bytes for a dlib face-recognition ``.dat`` file's bytes."""
    net = read_network(dat_bytes, face_resnet_v1())
    data: bytes = build_onnx(net).SerializeToString(deterministic=True)
    return data


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
    atomic_write(model_path, onnx_bytes)
    atomic_write(manifest_path, json.dumps({
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
    def from_cache(cls, cache_dir: str | os.PathLike[str], *, dat_path: str | os.PathLike[str] | None = None,
                   threads: int | None = None, max_batch: int | None = None,
                   spin: bool = False) -> ResnetOnnxDescriber:
        """Convert (if needed) and open the session now, so a broken install fails at start."""
        describer = cls(cache_dir, dat_path=dat_path, threads=threads, max_batch=max_batch, spin=spin)
        describer._get_session()
        return describer

    def _get_session(self) -> Any:  # onnxruntime.InferenceSession
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
