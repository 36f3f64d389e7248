"""The ASGI app the crash-recovery test runs under uvicorn, configured by FACEGATE_* variables.

FACEGATE_CRASH_FAKE_ENGINE=1 swaps in the fake face engine (fast bursts); otherwise the
real engine is used, with its models cached in .cache/models as the test suite does.
"""

from __future__ import annotations

import os
from pathlib import Path

from facegate.bootstrap import build_context, face_engine
from facegate.ports import FaceEngine
from facegate.settings import Settings
from facegate.web.app import create_app

ROOT = Path(__file__).resolve().parents[2]


def _engine(settings: Settings) -> FaceEngine:
    if os.environ.get("FACEGATE_CRASH_FAKE_ENGINE") == "1":
        from facegate.testing import FakeFaceEngine

        return FakeFaceEngine()
    return face_engine(settings.engine, str(ROOT / ".cache" / "models"))


_settings = Settings()
app = create_app(build_context(_settings, engine=_engine(_settings)))
