"""The properties the fuzzers check: any input gives the value or the one documented exception, never another."""

from __future__ import annotations

import numpy as np

from facegate.adapters.face.imaging import MAX_PIXELS, decode_rgb
from facegate.errors import ImageRejected, ManifestInvalid
from facegate.governance.loader import load_manifest
from facegate.governance.manifest import Manifest


def check_image(data: bytes) -> None:
    """decode_rgb: an (H, W, 3) uint8 array within the pixel limit, or ImageRejected with an image_* code."""
    try:
        arr = decode_rgb(data)
    except ImageRejected as exc:
        if not exc.code.startswith("image_"):
            raise AssertionError(f"unexpected rejection code {exc.code!r}") from exc
        return
    if not (isinstance(arr, np.ndarray) and arr.dtype == np.uint8 and arr.ndim == 3 and arr.shape[2] == 3):
        raise AssertionError(f"decode_rgb returned {type(arr).__name__} {getattr(arr, 'shape', '')}")
    if not arr.flags.c_contiguous or arr.shape[0] * arr.shape[1] > MAX_PIXELS or 0 in arr.shape:
        raise AssertionError(f"decode_rgb returned an unusable array of shape {arr.shape}")


def check_manifest(data: bytes) -> None:
    """load_manifest: a Manifest, or ManifestInvalid whose errors each carry a path and a message."""
    text = data.decode("utf-8", errors="replace")  # what POST /v1/deployments hands the loader
    try:
        m = load_manifest(text, "fuzz")
    except ManifestInvalid as exc:
        errors = exc.detail.get("errors")
        if not (isinstance(errors, list) and errors and all("path" in e and "message" in e for e in errors)):
            raise AssertionError(f"ManifestInvalid without path/message errors: {exc.detail!r}") from exc
        return
    if not isinstance(m, Manifest):
        raise AssertionError(f"load_manifest returned {type(m).__name__}")
