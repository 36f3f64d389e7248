"""Fetch the face_recognition 1.3.0 sdist from PyPI and extract its test photos into .cache/.

The test suite's real photos come from there (never from the repository).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / ".cache" / "test_images"
NAMES = ("obama.jpg", "obama2.jpg", "obama3.jpg", "biden.jpg", "obama_partial_face.jpg",
         "obama_partial_face2.jpg", "32bit.png")


def fetch(target: Path = TARGET) -> Path:
    if all((target / n).exists() for n in NAMES):
        return target
    target.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:",
             "-q", "-d", tmp, "face-recognition==1.3.0"],
            check=True,
        )
        (sdist,) = Path(tmp).glob("face_recognition-1.3.0.tar.gz")
        with tarfile.open(sdist) as tar:
            for member in tar.getmembers():
                name = Path(member.name).name
                if "/tests/test_images/" in member.name and name in NAMES:
                    data = tar.extractfile(member)
                    assert data is not None
                    # Whole or absent: pytest-xdist workers may fetch at once and read what the other wrote.
                    part = target / f".{name}.{os.getpid()}.part"  # same folder: os.replace stays atomic
                    part.write_bytes(data.read())
                    os.replace(part, target / name)
    missing = [n for n in NAMES if not (target / n).exists()]
    if missing:
        raise SystemExit(f"test images missing from the sdist: {missing}")
    return target


if __name__ == "__main__":
    print(fetch())
