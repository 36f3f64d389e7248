"""`facegate import DEPLOYMENT SOURCE`: bring an existing gallery from a CSV manifest or a folder tree.

A CSV manifest has the columns ``reference, photo, consent_at, notice_version, channel`` and,
where needed, ``purpose, birth_date, age_attested_by, separate_consents, guardian_ref,
guardian_relationship`` (M-7.1: where children may come, a birth date or who attested "14 or
over"; ``separate_consents`` is a space-separated list such as ``internet_transmission``); photo paths are
relative to the CSV. A folder holds one photo per person (``REF.jpg`` or ``REF/*.jpg``) and a
``consents.csv`` with the same columns minus ``photo``. Photos are read into memory, never copied.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import date, datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from facegate.cli.context import local_context
from facegate.cli.output import INVALID, REFUSED, DeploymentArg, JsonOption, emit, handle_errors
from facegate.errors import InvalidInput
from facegate.cli.lazy import lazy

if TYPE_CHECKING:
    from facegate.services import bulk_import
    from facegate.services.bulk_import import ImportRow, Outcome
else:
    bulk_import = lazy("facegate.services.bulk_import")

PHOTO_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp", ".bmp"}
REQUIRED = ("reference", "consent_at", "notice_version", "channel")


def _bad(en: str, zh: str) -> InvalidInput:
    return InvalidInput("import_source_invalid", en, zh)


def _when(value: str) -> datetime | None:
    if not value:
        return None
    try:
        at = datetime.fromisoformat(value)
    except ValueError:
        return None
    return at if at.tzinfo else at.replace(tzinfo=timezone.utc)  # documented: no offset means UTC


def _day(value: str) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _row(rec: dict[str, str], where: str, photo: str, purpose: str | None) -> ImportRow:
    def get(k: str) -> str:
        return (rec.get(k) or "").strip()

    return bulk_import.ImportRow(where, get("reference"), photo, get("purpose") or purpose or "",
                     _when(get("consent_at")), get("notice_version") or None, get("channel") or None,
                     _day(get("birth_date")), get("guardian_ref") or None, get("guardian_relationship") or None,
                     get("age_attested_by") or None, tuple(get("separate_consents").split()))


def _csv(path: Path, need_photo: bool) -> Iterator[tuple[int, dict[str, str]]]:
    try:
        with path.open(newline="", encoding="utf-8-sig") as f:
            reader = csv.DictReader(f)
            missing = [c for c in (*REQUIRED, *(("photo",) if need_photo else ())) if c not in (reader.fieldnames or [])]
            if missing:
                raise _bad(f"{path} lacks the columns {', '.join(missing)}.", f"{path}缺少列：{', '.join(missing)}。")
            yield from ((reader.line_num, rec) for rec in reader)
    except (OSError, UnicodeDecodeError) as exc:
        raise _bad(f"Cannot read {path}: {exc}.", f"无法读取{path}。") from None


def read_source(source: Path, purpose: str | None) -> list[ImportRow]:
    """Every row of the source, in order; the photos themselves are read later, one at a time."""
    if source.is_file():
        return [_row(rec, f"{source.name}:{line}", str(source.parent / (rec.get("photo") or "").strip()), purpose)
                for line, rec in _csv(source, need_photo=True)]
    if not source.is_dir():
        raise _bad(f"{source} is neither a CSV manifest nor a folder.", f"{source}既不是CSV清单也不是文件夹。")
    evidence = {(rec.get("reference") or "").strip(): (line, rec)
                for line, rec in _csv(source / "consents.csv", need_photo=False)}
    rows = []
    for entry in sorted(source.iterdir()):
        if entry.is_dir():
            photos = sorted(p for p in entry.iterdir() if p.suffix.lower() in PHOTO_SUFFIXES)
            ref, photo = entry.name, photos[0] if photos else entry / "(no photo)"
        elif entry.suffix.lower() in PHOTO_SUFFIXES:
            ref, photo = entry.stem, entry
        else:
            continue
        line, rec = evidence.get(ref, (0, {"reference": ref}))
        rows.append(_row(rec, f"{entry.name}" + (f" (consents.csv:{line})" if line else ""), str(photo), purpose))
    return rows


def _read_photo(row: ImportRow, limit: int) -> tuple[bytes | None, Outcome | None]:
    try:
        with open(row.photo, "rb") as f:
            data = f.read(limit + 1)
    except OSError as exc:
        return None, bulk_import.Outcome(row.reference, "refused", "photo_unreadable", None, f"Cannot read the photo: {exc.strerror}.",
                             "无法读取照片。")
    if len(data) > limit:
        return None, bulk_import.Outcome(row.reference, "refused", "image_too_large", None, f"The photo is larger than {limit} bytes.",
                             f"照片大于{limit}字节。")
    return data, None


def register(app: typer.Typer) -> None:
    @app.command("import")
    @handle_errors
    def import_(
        deployment: DeploymentArg,
        source: Path = typer.Argument(..., help="A CSV manifest, or a folder of photos with consents.csv."),
        purpose: str | None = typer.Option(None, "--purpose", "-p", help="Purpose for rows without one."),
        report: Path = typer.Option(Path("import-refusals.csv"), "--report",
                                    help="CSV file for refused rows, with their codes."),
        as_json: bool = JsonOption,
    ) -> None:
        """Import people with their consent evidence; every row passes the gate. Re-run to resume.

        Exit 0 when every row is imported (or was already), 3 when some were refused (see --report).
        """
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        ctx = local_context()
        rows = read_source(source, purpose)
        limit = ctx.settings.max_image_bytes
        counts = {"imported": 0, "skipped": 0, "refused": 0}
        refusals: list[tuple[ImportRow, Outcome]] = []
        columns = (TextColumn("importing"), BarColumn(), MofNCompleteColumn(),
                   TextColumn("{task.fields[rate]:.1f} people/s"), TimeRemainingColumn())
        with Progress(*columns, console=Console(stderr=True), transient=as_json) as progress:
            task = progress.add_task("import", total=len(rows), rate=0.0)
            for row in rows:
                if bulk_import.already_imported(ctx.services, deployment, row):
                    outcome = bulk_import.Outcome(row.reference, "skipped")
                else:
                    image, read_error = _read_photo(row, limit)
                    outcome = bulk_import.import_person(ctx.services, deployment, row, image, actor="cli-import",
                                            read_error=read_error)
                counts[outcome.status] += 1
                if outcome.status == "refused":
                    refusals.append((row, outcome))
                progress.advance(task)
                elapsed = progress.tasks[0].elapsed or 0.0
                progress.update(task, rate=progress.tasks[0].completed / elapsed if elapsed else 0.0)
        _write_report(report, refusals)
        emit({**counts, "total": len(rows), "report": str(report) if refusals else None}, as_json,
             f"{counts['imported']} imported, {counts['skipped']} already there, {counts['refused']} refused"
             + (f" (codes in {report})" if refusals else ""))
        if not rows:
            raise typer.Exit(INVALID)
        if refusals:
            raise typer.Exit(REFUSED)


def _write_report(path: Path, refusals: list[tuple[ImportRow, Outcome]]) -> None:
    """Refused rows with their codes; rewritten on every run, so it lists what is still to fix."""
    if not refusals:
        path.unlink(missing_ok=True)
        return
    with path.open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(["where", "reference", "code", "article_id", "message_en", "message_zh"])
        for row, o in refusals:
            out.writerow([row.where, row.reference, o.code, o.article_id or "", o.message_en, o.message_zh])
