"""Write a file whole or not at all: a temporary file in the same folder, then an atomic rename.

Used for the model files facegate derives from installed packages (the converted ONNX describer, the saved
HOG detector), so a crash or a second process never leaves a half-written model that a later start would load.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def atomic_write(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(prefix=path.name, dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
