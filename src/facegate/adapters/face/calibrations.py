"""Engine calibrations shipped as package data (``facegate/data/calibration/<engine>.json``).

Counts of genuine and impostor distances only; see ``domain.openset`` and docs/calibration.md.
"""

from __future__ import annotations

import json
from importlib import resources

from facegate.domain.openset import Calibration


def shipped_calibration(engine: str, version: str = "1") -> Calibration | None:
    """The calibration measured for ``engine`` (this model ``version``) on lfw-dev, or None if none ships."""
    if not engine.replace("_", "").replace("-", "").isalnum():
        return None
    path = resources.files("facegate") / "data" / "calibration" / f"{engine}.json"
    try:
        cal = Calibration.from_dict(json.loads(path.read_text(encoding="utf-8")))
    except FileNotFoundError:
        return None
    return cal if cal.engine_version == version else None  # another model's figures would mislead
