"""`facegate calibrate DIR`: the engine on the operator's own people; DET curve, table, thresholds.

DIR holds one folder per person. Photos are read into memory one batch at a time
and never written anywhere; only distance counts are kept (calibration.json).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from facegate.cli.context import local_context
from facegate.cli.output import JsonOption, emit, handle_errors
from facegate.errors import InvalidInput
from facegate.cli.lazy import lazy

if TYPE_CHECKING:
    from facegate.adapters import det_plot
    from facegate.domain import openset
    from facegate.services import calibration as svc
else:
    det_plot = lazy("facegate.adapters.det_plot")
    openset = lazy("facegate.domain.openset")
    svc = lazy("facegate.services.calibration")

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp", ".bmp"}


def _photos(root: Path) -> Iterator[tuple[str, bytes]]:
    for person in sorted(p for p in root.iterdir() if p.is_dir()):
        for photo in sorted(person.iterdir()):
            if photo.suffix.lower() in IMAGE_SUFFIXES and photo.is_file():
                yield person.name, photo.read_bytes()


def table(rec: svc.Recommendation) -> str:
    cal = rec.calibration
    lines = [f"Engine `{cal.engine}` on {cal.source}: {cal.people:,} people, {cal.photos:,} photos accepted, "
             f"{cal.genuine_pairs:,} genuine and {cal.impostor_pairs:,} impostor pairs"
             + (f"; refused: {', '.join(f'{k} {v}' for k, v in sorted(rec.refused.items()))}" if rec.refused else "")
             + ".", "", "| threshold | false match rate | false non-match rate |", "| ---: | ---: | ---: |"]
    for t in [x / 100 for x in range(30, 71, 5)]:
        lines.append(f"| {t:.2f} | {cal.impostor_le[cal._at(t)] / cal.impostor_pairs:.2e} | {cal.frr(t):.2%} |")
    lines += ["", f"Recommended 1:1 threshold at false match rate {rec.target_far:g}: **{rec.verify_threshold}** "
              f"(FMR {rec.verify_far:.2e}, FNMR {rec.verify_frr:.2%}).", "",
              f"1:N at target FPIR {rec.identify[0].target_fpir:.0%} (never looser than the 1:1 threshold):", "",
              "| gallery size | threshold | expected FPIR | expected miss | usable |", "| ---: | ---: | ---: | ---: | --- |"]
    for p in rec.identify:
        lines.append(f"| {p.gallery_size:,} | {p.threshold} | {p.expected_fpir:.2%} | {p.expected_miss:.1%} | "
                     f"{'yes' if p.is_usable else 'no' + ('' if p.reaches_target else ' (target not reachable)')} |")
    return "\n".join(lines)


def register(app: typer.Typer) -> None:
    @app.command()
    @handle_errors
    def calibrate(folder: Path = typer.Argument(..., help="One sub-folder of photos per person ('-' with --from)."),
                  out: Path = typer.Option(Path("calibration"), help="Where to write det.png, "
                  "calibration.md and calibration.json (counts only)."),
                  far: float = typer.Option(0.001, help="Target 1:1 false match rate."),
                  fpir: float = typer.Option(0.01, help="Target 1:N false-positive identification rate."),
                  adopt: str | None = typer.Option(None, help="Adopt the thresholds for this deployment (recorded)."),
                  source: str | None = typer.Option(None, help="Name of the photo set, for the report."),
                  from_json: Path | None = typer.Option(None, "--from", help="Use a calibration.json written "
                                                        "earlier instead of FOLDER's photos."),
                  as_json: bool = JsonOption) -> None:
        """Measure genuine and impostor distances on FOLDER (one sub-folder per person); recommend thresholds."""
        ctx = local_context().services
        if from_json is not None:
            try:
                cal = openset.Calibration.from_dict(json.loads(from_json.read_text(encoding="utf-8")))
            except (OSError, ValueError, KeyError, TypeError) as exc:
                raise InvalidInput("calibration_unreadable", f"Cannot read {from_json}: {exc}.",
                                   f"无法读取{from_json}。") from None
            refused: dict[str, int] = {}
        else:
            if not folder.is_dir():
                raise InvalidInput("folder_unreadable", f"{folder} is not a folder.", f"{folder}不是文件夹。")
            cal, refused = svc.measure(ctx.engine, _photos(folder), source=source or folder.name,
                                       options=ctx.face_options)
        rec = svc.recommend(ctx, cal, target_far=far, target_fpir=fpir)
        rec = svc.Recommendation(**{**rec.__dict__, "refused": refused})
        out.mkdir(parents=True, exist_ok=True)
        (out / "calibration.json").write_text(json.dumps(cal.to_dict(), separators=(",", ":")) + "\n")
        marks = {"1:1": rec.verify_threshold, **{f"1:N {p.gallery_size:,}": p.threshold for p in rec.identify[1:3]}}
        (out / "det.png").write_bytes(det_plot.det_png(cal, marks))
        text = table(rec)
        (out / "calibration.md").write_text(text + "\n", encoding="utf-8")
        data = {"verify_threshold": rec.verify_threshold, "target_far": far, "target_fpir": fpir,
                "identify": [p.to_dict() for p in rec.identify], "refused": refused,
                "people": cal.people, "photos": cal.photos, "out": str(out)}
        if adopt:
            adopted = svc.adopt(ctx, adopt, cal, target_far=far, target_fpir=fpir, actor="cli")
            data["adopted"] = adopt
            text += f"\n\nadopted for {adopt}: 1:1 threshold {adopted.verify_threshold}, 1:N target FPIR {fpir:g}"
        emit(data, as_json, text)
