"""Shared by the kiosk and console browser tests: the real app under uvicorn in a thread, and screenshots."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

from facegate.web.local_server import free_port, serve_in_thread  # noqa: F401  (free_port is re-exported)

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "screenshots"
DOCS_SHOTS = ROOT / "docs" / "screenshots"


# The kiosk and console fixtures know it by this name; it is shared with the screenshot scripts.
serve_app = serve_in_thread


def screenshot(page: Any, name: str, *, full_page: bool = True) -> Path:
    """test-artifacts/screenshots/ always; docs/screenshots/ too when FACEGATE_UPDATE_SCREENSHOTS=1."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    if os.environ.get("FACEGATE_UPDATE_SCREENSHOTS") == "1":
        DOCS_SHOTS.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, DOCS_SHOTS / path.name)
    return path
