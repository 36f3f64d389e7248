"""Long commands show progress on stderr only: on a terminal or with --progress, and never inside --json.

Issue 14. The commands run as a person runs them (a fresh process, stdout and stderr apart).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _run(args: list[str], data: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "FACEGATE_ENV": "test", "FACEGATE_DATA_DIR": str(data), "FACEGATE_EXAMPLES_DIR": "",
           "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")])}
    return subprocess.run([sys.executable, "-m", "facegate.cli.main", *args], env=env, capture_output=True,
                          text=True, timeout=300)


def test_progress_goes_to_stderr_and_json_stays_clean(tmp_path: Path) -> None:
    shown = _run(["keys", "rotate", "--json", "--progress"], tmp_path / "data")
    assert shown.returncode == 0, shown.stderr
    assert set(json.loads(shown.stdout)) >= {"kek_id", "rewrapped"}  # stdout is exactly the JSON document
    assert "done" in shown.stderr

    purged = _run(["purge", "--json", "--progress"], tmp_path / "data")
    assert purged.returncode == 0, purged.stderr
    assert json.loads(purged.stdout)["templates_deleted"] == 0 and "done" in purged.stderr


def test_no_progress_when_stderr_is_not_a_terminal(tmp_path: Path) -> None:
    quiet = _run(["purge", "--json"], tmp_path / "data")
    assert quiet.returncode == 0 and quiet.stderr == ""
    assert json.loads(quiet.stdout)["templates_deleted"] == 0
