"""Commands load only what they use (issue 14: commands that never touch a face start in under a second).

Behaviour, not speed: each command runs in a fresh interpreter, which then reports which of the
heavy layers it imported. The face engine (dlib, onnxruntime) loads only for face work; the web
framework only for `serve`; the migration tool only when the schema is not at its head.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FACE = ("dlib", "onnxruntime", "facegate.adapters.face.dlib", "face_recognition_models")
LISTING = ("numpy", "facegate.governance.manifest", "sqlalchemy.dialects.postgresql")  # not for listing
HEAVY = (*FACE, *LISTING, "fastapi", "alembic", "redis", "sqlalchemy")

PROBE = """
import json, sys
from facegate.cli.main import app
try:
    app(sys.argv[1:], prog_name="facegate")
except SystemExit:
    pass
loaded = [m for m, mod in list(sys.modules.items())  # cli/lazy.py's modules count once their code has run
          if type(mod).__name__ != "_LazyModule" and (m.split(".")[0] in {heavy} or m in {heavy})]
print(json.dumps(sorted(loaded)), file=sys.stderr)
"""


def _loaded(args: list[str], data: Path) -> set[str]:
    env = {**os.environ, "FACEGATE_ENV": "test", "FACEGATE_DATA_DIR": str(data), "FACEGATE_EXAMPLES_DIR": "",
           "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")])}
    heads = {m.split(".")[0] for m in HEAVY} | set(HEAVY)
    done = subprocess.run([sys.executable, "-c", PROBE.format(heavy=repr(heads)), *args], env=env,
                          capture_output=True, text=True, timeout=300)
    return {m for m in json.loads(done.stderr.strip().splitlines()[-1]) if m in HEAVY}


def test_help_loads_no_heavy_layer(tmp_path: Path) -> None:
    assert _loaded(["--help"], tmp_path / "data") == set()
    assert _loaded(["deploy", "--help"], tmp_path / "data") == set()


def test_a_store_command_loads_neither_the_face_engine_nor_the_web_nor_alembic_once_migrated(tmp_path: Path) -> None:
    first = _loaded(["deploy", "list", "--json"], tmp_path / "data")  # a new database: migrations run
    assert "alembic" in first and not first & set(FACE)
    again = _loaded(["deploy", "list", "--json"], tmp_path / "data")
    assert "sqlalchemy" in again
    assert not again & {*FACE, "fastapi", "alembic", "redis"}, again


def test_listing_commands_load_neither_numpy_nor_the_manifest_models(tmp_path: Path) -> None:
    _loaded(["init"], tmp_path / "data")
    for args in (["deploy", "list", "--json"], ["keys", "list", "--json"], ["requests", "list", "--json"],
                 ["locks", "list", "--json"]):
        assert not _loaded(args, tmp_path / "data") & set(LISTING), args
