"""Rows of the "Summary against the targets" table in docs/benchmarks.md.

Protocol: every bench script accepts ``--summary PATH`` and, at the end of a run, writes
to PATH a JSON list of rows ``{"area": str, "target": str, "measured": str, "met": bool | None}``.
``measured`` is short Markdown (bold the figure that misses its target); ``met`` is computed
from the figures of that run, or null when the row only reports a figure. run_all.py reads
the files and renders one table, so each figure sits beside its target from the same run.
"""

from __future__ import annotations

import argparse
import json
import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

HEADING = "## Summary against the targets"
KEYS = ("area", "target", "measured", "met")


def row(area: str, target: str, measured: str, met: bool | None) -> dict[str, Any]:
    """One summary row; ``met`` is None for a figure with no pass/fail target."""
    if met is not None:
        met = bool(met)  # numpy booleans are not JSON
    return {"area": area, "target": target, "measured": measured, "met": met}


def check(rows: Any) -> list[dict[str, Any]]:
    """The rows if they follow the protocol, else ValueError."""
    if not isinstance(rows, list):
        raise ValueError("a summary is a JSON list of rows")
    for r in rows:
        if not isinstance(r, dict) or set(r) != set(KEYS):
            raise ValueError(f"a summary row has exactly the keys {KEYS}: {r!r}")
        if not all(isinstance(r[k], str) for k in KEYS[:3]) or r["met"] not in (True, False, None):
            raise ValueError(f"area, target and measured are text, met is true, false or null: {r!r}")
    return rows


def write_summary(path: str | Path | None, rows: list[dict[str, Any]]) -> None:
    """Write ``rows`` as JSON to ``path`` (the script's ``--summary``); nothing when path is None."""
    if path is None:
        return
    Path(path).write_text(json.dumps(check(rows), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def read_summary(path: str | Path) -> list[dict[str, Any]] | None:
    """The rows a script wrote, or None when it wrote no file (or an empty one)."""
    p = Path(path)
    if not p.exists() or not p.read_text(encoding="utf-8").strip():
        return None
    return check(json.loads(p.read_text(encoding="utf-8")))


def failed(title: str, returncode: int) -> dict[str, Any]:
    """The single row of a bench that exited non-zero or wrote no summary."""
    return row(title, "—", f"**failed** (exit {returncode})", False)


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def render(rows_by_bench: Iterable[list[dict[str, Any]]]) -> list[str]:
    """Markdown lines of the summary section: the rows of each bench, in the order given."""
    lines = [HEADING, "",
             "Generated from the sections below, all from this `make bench` run on this machine.", "",
             "| area | target | measured | verdict |", "|---|---|---|---|"]
    for rows in rows_by_bench:
        for r in rows:
            measured = _cell(r["measured"])
            if r["met"] is False and "**" not in measured:
                measured = f"**{measured}**"
            verdict = {True: "met", False: "**not met**", None: "measured"}[r["met"]]
            lines.append(f"| {_cell(r['area'])} | {_cell(r['target'])} | {measured} | {verdict} |")
    return lines


def photo_bench_main(doc: str | None, run: Callable[[Path, int, str], tuple[str, list[dict[str, Any]]]],
                     default_limit: int, limit_help: str) -> None:
    """The command line the photo benchmarks share: --faces, --limit, --engine, --out, --summary."""
    root = Path(__file__).resolve().parent.parent
    ap = argparse.ArgumentParser(description=doc)
    ap.add_argument("--faces", type=Path,
                    default=Path(os.environ.get("FACEGATE_BENCH_FACES", root.parent / "shared/faces/lfw-dev")))
    ap.add_argument("--limit", type=int, default=default_limit, help=limit_help)
    ap.add_argument("--engine", default=os.environ.get("FACEGATE_ENGINE", "auto"))
    ap.add_argument("--out", type=Path)
    ap.add_argument("--summary", type=Path, help="also write the summary row (JSON, see bench/summary.py) here")
    args = ap.parse_args()
    text, rows = run(args.faces, args.limit, args.engine)
    print(text)
    if args.out:
        args.out.write_text(text)
    write_summary(args.summary, rows)
