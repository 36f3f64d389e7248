"""Bulk import: people per second through `facegate import` (every row through the gate).

A CSV manifest over the first photo of each LFW person, with consent evidence, imported by the
real command into a fresh SQLite store; then the same manifest again (the resume pass, which only
checks what is already there). Target (issue 15): at least 20 people/s on 2 cores with the fast
engine. Bounded by ``--limit`` people.
"""

from __future__ import annotations

import csv
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from summary import photo_bench_main, row  # noqa: E402
from typer.testing import CliRunner  # noqa: E402

import facegate.cli.bulk as bulk  # noqa: E402
from facegate.bootstrap import build_context, face_engine  # noqa: E402
from facegate.cli.main import app  # noqa: E402
from facegate.services.deployments import apply_manifest_text, get_deployment  # noqa: E402
from tests.conftest import make_settings  # noqa: E402

TARGET = 20.0  # people per second
HOTEL, P = "westlake-hotel-front-desk", "check_in"


def _manifest(faces: Path, limit: int, notice: str, path: Path) -> int:
    people = sorted(p for p in faces.iterdir() if p.is_dir())[:limit]
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["reference", "photo", "consent_at", "notice_version", "channel", "age_attested_by"])
        for person in people:
            w.writerow([person.name, str(sorted(person.glob("*.jpg"))[0]), "2025-07-01T09:30:00+08:00", notice,
                        "front-desk-paper", "front-desk-staff"])
    return len(people)


def run(faces: Path, limit: int, engine_kind: str) -> tuple[str, list[dict]]:
    engine = face_engine(engine_kind, str(ROOT / ".cache" / "models"))
    with tempfile.TemporaryDirectory() as tmp:
        ctx = build_context(make_settings(Path(tmp)), engine=engine)
        example = ROOT / "examples" / "hotel-front-desk-check-in.yaml"
        apply_manifest_text(ctx.services, example.read_text(encoding="utf-8"), str(example), actor="bench")
        n = _manifest(faces, limit, get_deployment(ctx.services, HOTEL).notice_version, Path(tmp) / "gallery.csv")
        bulk.local_context = lambda: ctx  # type: ignore[assignment]
        args = ["import", HOTEL, str(Path(tmp) / "gallery.csv"), "--report", str(Path(tmp) / "refused.csv"), "--json",
                "-p", P]
        timings, outs = [], []
        for _ in range(2):  # the import, then the resume pass over the same manifest
            t = time.perf_counter()
            out = CliRunner().invoke(app, args)
            timings.append(time.perf_counter() - t)
            outs.append(json.loads(out.stdout))
        ctx.close()
    rate, resume_rate = n / timings[0], n / timings[1]
    first = outs[0]
    met = rate >= TARGET
    figure = f"{rate:.1f} people/s"
    summary = [row("bulk import", f"≥ {TARGET:.0f} people/s through the gate (engine `{engine.name}`, "
                   f"describer `{getattr(engine, 'describer_name', '?')}`)",
                   f"{figure if met else f'**{figure}**'} ({n} people, {first['refused']} refused; "
                   f"resume pass {resume_rate:.0f} people/s)", met)]
    text = "\n".join([
        "## Bulk import (issue 15)",
        "",
        f"`facegate import` over a CSV manifest of {n} people (the first photo of each person in `{faces}`), "
        "fresh SQLite store, real engine, one transaction and one record entry per person.",
        "",
        "| pass | people | imported | refused | skipped | seconds | people/s | target |",
        "|---|---|---|---|---|---|---|---|",
        f"| import | {n} | {first['imported']} | {first['refused']} | {first['skipped']} | {timings[0]:.1f} | "
        f"{rate:.1f} | ≥ {TARGET:.0f} {'met' if met else 'NOT met'} |",
        f"| resume (same manifest again) | {n} | {outs[1]['imported']} | {outs[1]['refused']} | "
        f"{outs[1]['skipped']} | {timings[1]:.1f} | {resume_rate:.1f} | |",
        "",
        "Refused rows are LFW photos with a second face in the background (`multiple_faces`): the gate "
        "refuses them as it would at enrolment; they cost the same engine time.",
        "",
    ])
    return text, summary


def main() -> None:
    photo_bench_main(__doc__, run, 200, "people")


if __name__ == "__main__":
    main()
