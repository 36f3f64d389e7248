"""The README screenshot scripts share one server and browser start-up (scripts/shots.py) and still work."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = {"screenshots.py": ("kiosk-step-1-notice.png", "kiosk-step-5-done.png", "notice-en.png"),
           "console_screenshots.py": ("console-subject-search.png", "console-subject-search-en.png")}


def test_the_scripts_have_no_start_up_code_of_their_own() -> None:
    for name in SCRIPTS:
        text = (ROOT / "scripts" / name).read_text(encoding="utf-8")
        for own in ("uvicorn", "sync_playwright", "argparse", "tempfile", "socket"):
            assert own not in text, (name, own)
        assert "from shots import" in text


@pytest.mark.parametrize("name", sorted(SCRIPTS))
def test_each_script_writes_its_screenshots(name: str, playwright: Any, tmp_path: Path) -> None:
    env = dict(os.environ, FACEGATE_CHROMIUM=playwright.executable,
               PYTHONPATH=os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")]))
    r = subprocess.run([sys.executable, str(ROOT / "scripts" / name), "--out", str(tmp_path)], env=env,
                       capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert r.returncode == 0, r.stdout + r.stderr
    for shot in SCRIPTS[name]:
        assert (tmp_path / shot).stat().st_size > 10_000, shot
