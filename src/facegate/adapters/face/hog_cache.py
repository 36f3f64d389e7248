"""dlib's HOG face detector, kept on disk in dlib's own format so a start loads it in a millisecond.

``dlib.get_frontal_face_detector()`` rebuilds the detector from text compiled into dlib, which
takes 0.2-0.4 s of CPU on every start and for every extra detector a busy node makes (issue 14:
`facegate serve` is ready only once the engine is). Saved once with ``save`` and loaded with
``fhog_object_detector(path)`` it is the same detector: the same filters, so the same boxes,
scores and sub-detectors (tests/integration/test_hog_cache.py). Nothing is downloaded: the file
is derived from the installed dlib, named by its version, and its SHA-256 is checked against the
manifest beside it on every load; a missing, stale or damaged file is simply rebuilt.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

import dlib

from facegate.adapters.atomic_file import atomic_write

DETECTOR_FILENAME = "dlib_frontal_face_detector.svm"
MANIFEST_FILENAME = "dlib_frontal_face_detector.json"


def cached_detector_path(cache_dir: str | os.PathLike[str]) -> Path:
    """The saved detector, written (again) when missing, made by another dlib, or not matching its SHA-256."""
    cache = Path(cache_dir)
    cache.mkdir(parents=True, exist_ok=True)
    path, manifest_path = cache / DETECTOR_FILENAME, cache / MANIFEST_FILENAME
    try:
        manifest = json.loads(manifest_path.read_text())
        if (manifest.get("dlib_version") == dlib.__version__
                and hashlib.sha256(path.read_bytes()).hexdigest() == manifest.get("sha256")):
            return path
    except (OSError, ValueError):
        pass
    with tempfile.TemporaryDirectory(dir=cache) as tmp:  # dlib saves only to a path
        saved = Path(tmp) / DETECTOR_FILENAME
        dlib.get_frontal_face_detector().save(str(saved))
        data = saved.read_bytes()
    atomic_write(path, data)
    atomic_write(manifest_path, json.dumps({"dlib_version": dlib.__version__,
                                             "sha256": hashlib.sha256(data).hexdigest()}, indent=2).encode())
    return path


def frontal_face_detector(path: Path | None) -> Any:  # dlib.fhog_object_detector (dlib is untyped)
    """A new detector (dlib's are not safe to share between threads): from ``path`` when given."""
    return dlib.get_frontal_face_detector() if path is None else dlib.fhog_object_detector(str(path))
