"""Operator-supplied ONNX model files: read only after their SHA-256 matches, then opened on onnxruntime.

facegate never downloads a model. The operator names each file and its checksum;
a missing file, a missing checksum or a file that does not match stops the
service at start with the file named (a swapped model would quietly change who
gets through, M-14.1), so nothing half-configured ever serves a request.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

from facegate.errors import ConfigurationError


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_checked(path: Path | str | None, sha256: str | None, what: str, setting: str) -> bytes:
    """The model's bytes, or ``ConfigurationError`` naming the setting to fix.

    ``what`` names the model in messages ("detector"); ``setting`` is the FACEGATE_ variable prefix.
    """
    if path is None or not str(path).strip():
        raise ConfigurationError("engine_model_missing", f"{setting} is not set: the {what} model file is required.",
                                 f"未设置{setting}：必须提供{what}模型文件。", detail={"setting": setting})
    file = Path(path)
    if not sha256 or not sha256.strip():
        raise ConfigurationError("engine_model_checksum_missing",
                                 f"{setting}_SHA256 is required with the {what} model {file}.",
                                 f"配置{what}模型{file}时须同时提供{setting}_SHA256。", detail={"setting": setting})
    try:
        data = file.read_bytes()
    except OSError as exc:
        raise ConfigurationError("engine_model_missing", f"The {what} model {file} ({setting}) cannot be read "
                                 f"({exc.strerror}).", f"无法读取{what}模型文件{file}（{setting}）。",
                                 detail={"setting": setting}) from exc
    actual = sha256_of(data)
    if actual != sha256.strip().lower():
        raise ConfigurationError(
            "engine_model_checksum", f"The {what} model {file} has SHA-256 {actual}, not the {setting}_SHA256 "
            f"configured ({sha256.strip().lower()}): refusing to start.",
            f"{what}模型{file}的SHA-256为{actual}，与{setting}_SHA256不符，拒绝启动。",
            detail={"setting": setting, "actual": actual})
    return data


def open_session(data: bytes, what: str, threads: int | None = None) -> Any:
    """An onnxruntime session (``InferenceSession``) on the CPU; a model it cannot load is a configuration error."""
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.intra_op_num_threads = threads if threads is not None else max(1, min(os.cpu_count() or 1, 4))
    opts.inter_op_num_threads = 1
    opts.log_severity_level = 3
    # Busy-waiting workers would steal the cores from the web server between runs.
    opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
    try:
        return ort.InferenceSession(data, sess_options=opts, providers=["CPUExecutionProvider"])
    except Exception as exc:  # noqa: BLE001 - onnxruntime raises its own types for any bad model
        raise ConfigurationError("engine_model_invalid", f"The {what} model cannot be loaded by onnxruntime.",
                                 f"onnxruntime无法加载{what}模型。") from exc


def invalid(what: str, en: str, zh: str) -> ConfigurationError:
    """A model whose inputs or outputs are not the layout this adapter expects."""
    return ConfigurationError("engine_model_invalid", f"The {what} model does not fit: {en}", f"{what}模型不符合要求：{zh}")
