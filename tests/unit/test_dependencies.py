"""Every runtime dependency in pyproject.toml is imported by the package: a dependency nobody imports is removed."""

from __future__ import annotations

import ast
import re
import tomllib
from importlib.metadata import files
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _imported_top_modules(folder: Path) -> set[str]:
    found: set[str] = set()
    for path in folder.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found.add(node.module.split(".")[0])
    return found


def _top_modules(requirement: str) -> set[str]:
    """The top-level names a distribution installs, read from its file list (dlib-bin installs ``dlib``)."""
    name = re.match(r"[A-Za-z0-9_.\-]+", requirement)
    assert name, requirement
    return {Path(str(f)).parts[0].split(".")[0] for f in files(name.group(0)) or []}


def test_every_runtime_dependency_is_imported_by_the_package() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    imported = _imported_top_modules(ROOT / "src" / "facegate")
    imported.add("psycopg")  # the PostgreSQL driver SQLAlchemy loads for postgresql+psycopg:// URLs
    unused = [req for req in project["dependencies"]
              if not _top_modules(req) & imported]
    assert not unused, f"dependencies nothing in src/facegate imports: {unused}"
