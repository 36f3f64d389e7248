"""A passive anti-spoofing model supplied by the operator, as ONNX, behind the SpoofDetector port.

The operator names the file and its SHA-256; a file that does not match is
refused at start (a swapped model would quietly change who gets through).
Contract: one float32 input ``[1, 3, H, W]`` (RGB, 0..1, H and W fixed in the
model), one output of either one value (the attack probability) or two
(genuine, attack) logits or probabilities, which are softmaxed. The face crop
is resized to H x W in memory; nothing is written.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import onnxruntime as ort
from PIL import Image

from facegate.errors import ConfigurationError


class OnnxSpoofDetector:
    def __init__(self, path: Path, sha256: str, threshold: float = 0.5) -> None:
        try:
            data = Path(path).read_bytes()
        except OSError as exc:
            raise ConfigurationError("spoof_model_unreadable", "The anti-spoofing model file cannot be read.",
                                     "无法读取防伪模型文件。") from exc
        if hashlib.sha256(data).hexdigest() != sha256.strip().lower():
            raise ConfigurationError("spoof_model_checksum", "The anti-spoofing model does not match its SHA-256.",
                                     "防伪模型与其 SHA-256 校验值不符。")
        options = ort.SessionOptions()
        options.intra_op_num_threads = 1
        try:
            self._session = ort.InferenceSession(data, options, providers=["CPUExecutionProvider"])
        except Exception as exc:  # noqa: BLE001 - onnxruntime raises its own types for any bad model
            raise ConfigurationError("spoof_model_invalid", "The anti-spoofing model cannot be loaded.",
                                     "无法加载防伪模型。") from exc
        inp = self._session.get_inputs()[0]
        shape = inp.shape
        if len(shape) != 4 or shape[1] != 3 or not all(isinstance(v, int) and v > 0 for v in shape[2:]):
            raise ConfigurationError("spoof_model_invalid", "The model's input must be [1, 3, H, W] with fixed H, W.",
                                     "防伪模型输入须为固定尺寸的 [1, 3, H, W]。")
        self._input, self._size = inp.name, (int(shape[3]), int(shape[2]))
        self.name = f"onnx:{Path(path).name}:{sha256[:12]}"
        self.threshold = threshold

    def __repr__(self) -> str:
        return f"OnnxSpoofDetector({self.name!r}, threshold={self.threshold})"

    def score(self, face_rgb: np.ndarray) -> float:
        img = np.asarray(Image.fromarray(face_rgb).resize(self._size, Image.Resampling.BILINEAR), dtype=np.float32) / 255.0
        out = np.asarray(self._session.run(None, {self._input: img.transpose(2, 0, 1)[None]})[0], np.float64).ravel()
        if out.size == 1:
            return float(np.clip(out[0], 0.0, 1.0))
        if out.size == 2:
            e = np.exp(out - out.max())
            return float(e[1] / e.sum())
        raise ConfigurationError("spoof_model_invalid", "The model must output one score or two classes.",
                                 "防伪模型须输出一个分数或两个类别。")
