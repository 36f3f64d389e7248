"""`facegate import`: every row through the gate, refusals reported with codes, a re-run resumes."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path

import pytest
from PIL import Image
from typer.testing import CliRunner

from facegate.bootstrap import AppContext
from facegate.cli.main import app
from facegate.services.common import pseudonym
from facegate.services.deployments import apply_manifest_text, get_deployment
from facegate.services.faces import verify

ROOT = Path(__file__).resolve().parents[2]
HOTEL, P = "westlake-hotel-front-desk", "check_in"
COLUMNS = ["reference", "photo", "consent_at", "notice_version", "channel", "birth_date", "age_attested_by",
           "guardian_ref", "guardian_relationship"]


@pytest.fixture
def ctx(real_ctx: AppContext, monkeypatch: pytest.MonkeyPatch) -> AppContext:
    import facegate.cli.bulk as bulk

    monkeypatch.setattr(bulk, "local_context", lambda: real_ctx)
    path = ROOT / "examples" / "hotel-front-desk-check-in.yaml"
    apply_manifest_text(real_ctx.services, path.read_text(encoding="utf-8"), str(path), actor="test")
    return real_ctx


def _write_csv(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, COLUMNS)
        w.writeheader()
        w.writerows(rows)
    return path


def _import(*args: str) -> tuple[int, dict[str, object]]:
    r = CliRunner().invoke(app, ["import", *args, "--json"])
    return r.exit_code, json.loads(r.stdout)


def _events(ctx: AppContext, ref: str) -> list[str]:
    d = get_deployment(ctx.services, HOTEL)
    who = pseudonym(ctx.services, d.processor_id, ref)
    with ctx.store.transaction(readonly=True) as tx:
        return [e.event.kind for e in tx.record.events() if e.event.subject_ref == who]


def test_csv_import_reports_refusals_and_resumes(ctx: AppContext, tmp_path: Path,
                                                 face_images: dict[str, bytes]) -> None:
    photos = tmp_path / "photos"
    photos.mkdir()
    for name in ("obama.jpg", "biden.jpg", "obama2.jpg", "obama3.jpg"):
        (photos / name).write_bytes(face_images[name])
    blank = io.BytesIO()
    Image.new("RGB", (400, 400), (128, 128, 128)).save(blank, "PNG")
    (photos / "wall.png").write_bytes(blank.getvalue())
    notice = get_deployment(ctx.services, HOTEL).notice_version
    ok = {"consent_at": "2025-07-01T09:30:00+08:00", "notice_version": notice, "channel": "front-desk-paper",
          "age_attested_by": "front desk checked the ID card"}
    rows = [
        {"reference": "guest-1", "photo": "photos/obama.jpg", **ok},
        {"reference": "guest-2", "photo": "photos/biden.jpg", **ok},
        {"reference": "guest-3", "photo": "photos/obama2.jpg", **ok, "consent_at": ""},
        {"reference": "guest-4", "photo": "photos/missing.jpg", **ok},
        {"reference": "guest-5", "photo": "photos/wall.png", **ok},
        {"reference": "guest-6", "photo": "photos/obama3.jpg", **ok, "notice_version": "an-older-notice"},
        {"reference": "kid-1", "photo": "photos/obama2.jpg", **ok, "age_attested_by": "",
         "birth_date": date(date.today().year - 9, 1, 1).isoformat()},
        # M-7.1: a hotel meets families; a consent with no age on record does not enrol anyone.
        {"reference": "guest-7", "photo": "photos/obama3.jpg", **ok, "age_attested_by": ""},
    ]
    report = tmp_path / "refusals.csv"
    # The first run stopped after one person (as if interrupted); the full manifest then resumes.
    code, first = _import(HOTEL, str(_write_csv(tmp_path / "part.csv", rows[:1])), "-p", P, "--report", str(report))
    assert (code, first["imported"], first["refused"]) == (0, 1, 0) and not report.exists()
    manifest = _write_csv(tmp_path / "gallery.csv", rows)
    code, second = _import(HOTEL, str(manifest), "-p", P, "--report", str(report))
    assert code == 3 and (second["skipped"], second["imported"], second["refused"]) == (1, 1, 6)

    with report.open(encoding="utf-8") as f:
        refused = {r["reference"]: r for r in csv.DictReader(f)}
    assert {ref: r["code"] for ref, r in refused.items()} == {
        "guest-3": "consent_evidence_missing", "guest-4": "photo_unreadable", "guest-5": "no_face",
        "guest-6": "notice_version_mismatch", "kid-1": "guardian_consent_missing", "guest-7": "age_not_established"}
    assert refused["guest-3"]["article_id"] == "M-6.2" and refused["kid-1"]["article_id"] == "M-7.2"
    assert refused["guest-3"]["where"] == "gallery.csv:4" and refused["guest-3"]["message_zh"]

    code, third = _import(HOTEL, str(manifest), "-p", P, "--report", str(report))
    assert code == 3 and (third["skipped"], third["imported"], third["refused"]) == (2, 0, 6)

    # One processing-record entry per person imported, and nothing else about them.
    assert _events(ctx, "guest-1") == ["import"] and _events(ctx, "guest-2") == ["import"]
    assert _events(ctx, "guest-3") == ["import", "import"]  # a refused row is recorded once per attempt
    # The imported consent and template work like any other; no photo was copied into the data directory.
    assert verify(ctx.services, HOTEL, "guest-1", P, face_images["obama2.jpg"]).is_match
    assert not [p for p in ctx.settings.data_dir.rglob("*") if p.suffix in (".jpg", ".png")]


def test_folder_tree_needs_consent_evidence_for_each_person(ctx: AppContext, tmp_path: Path,
                                                            face_images: dict[str, bytes]) -> None:
    tree = tmp_path / "gallery"
    (tree / "guest-a").mkdir(parents=True)
    (tree / "guest-a" / "front.jpg").write_bytes(face_images["obama.jpg"])
    (tree / "guest-b.jpg").write_bytes(face_images["biden.jpg"])
    notice = get_deployment(ctx.services, HOTEL).notice_version
    with (tree / "consents.csv").open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["reference", "consent_at", "notice_version", "channel", "age_attested_by"])
        w.writerow(["guest-a", "2025-07-01T09:30:00+08:00", notice, "kiosk", "kiosk staff"])
    report = tmp_path / "refusals.csv"
    code, out = _import(HOTEL, str(tree), "-p", P, "--report", str(report))
    assert code == 3 and (out["imported"], out["refused"]) == (1, 1)
    assert "guest-b,consent_evidence_missing,M-6.2" in report.read_text(encoding="utf-8")

    bad = CliRunner().invoke(app, ["import", HOTEL, str(tmp_path / "nothing-here")])
    assert bad.exit_code == 2 and "import_source_invalid" in bad.output
