"""`facegate calibrate` on a folder tree of real photos: counts, DET curve, table, adoption on record."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HOTEL = "westlake-hotel-front-desk"


def _run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "facegate.cli.main", *args], capture_output=True, text=True,
                          env=env, cwd=ROOT, timeout=300)


def test_calibrate_a_folder_tree_and_adopt_it(tmp_path: Path, face_images: dict[str, bytes]) -> None:
    people = {"obama": ("obama.jpg", "obama2.jpg", "obama3.jpg"), "biden": ("biden.jpg",)}
    for person, names in people.items():
        (tmp_path / "photos" / person).mkdir(parents=True)
        for name in names:
            (tmp_path / "photos" / person / name).write_bytes(face_images[name])
    (tmp_path / "photos" / "notes.txt").write_text("not a person")  # files beside the folders are ignored
    env = {**os.environ, "FACEGATE_DATA_DIR": str(tmp_path / "var"), "FACEGATE_ENV": "test"}
    assert _run(env, "deploy", "apply", "examples/hotel-front-desk-check-in.yaml").returncode == 0
    out = tmp_path / "out"
    r = _run(env, "calibrate", str(tmp_path / "photos"), "--out", str(out), "--far", "0.5", "--adopt", HOTEL, "--json")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["people"] == 2 and data["photos"] == 4 and data["adopted"] == HOTEL
    cal = json.loads((out / "calibration.json").read_text())
    assert cal["genuine_pairs"] == 3 and cal["impostor_pairs"] == 3 and cal["engine"] == "dlib_resnet_v1"
    assert sorted(p.name for p in out.iterdir()) == ["calibration.json", "calibration.md", "det.png"]  # no photos
    assert (out / "det.png").read_bytes().startswith(b"\x89PNG")
    assert "Recommended 1:1 threshold" in (out / "calibration.md").read_text()
    # With only 3 impostor pairs, FAR 0.5 allows up to one impostor: the threshold sits below biden's distance.
    threshold = data["verify_threshold"]
    assert 0.3 < threshold < 1.0

    (tmp_path / "obama2.jpg").write_bytes(face_images["obama2.jpg"])
    (tmp_path / "obama.jpg").write_bytes(face_images["obama.jpg"])
    assert _run(env, "consent", "give", HOTEL, "guest-1", "-p", "check_in", "--age-14-or-over", "desk-3").returncode == 0
    assert _run(env, "enroll", HOTEL, "guest-1", str(tmp_path / "obama.jpg"), "-p", "check_in").returncode == 0
    v = _run(env, "verify", HOTEL, "guest-1", str(tmp_path / "obama2.jpg"), "-p", "check_in", "--json")
    assert json.loads(v.stdout)["threshold"] == threshold  # the deployment's adopted threshold is used
    assert _run(env, "audit", "export", "--out", str(tmp_path / "record.json")).returncode == 0
    record = (tmp_path / "record.json").read_text()
    assert "calibration_adopted" in record and str(threshold) in record  # M-9.3: the change is on record
    assert _run(env, "audit", "verify").stdout.startswith("ok:")


def test_calibrate_refuses_a_folder_without_people(tmp_path: Path) -> None:
    env = {**os.environ, "FACEGATE_DATA_DIR": str(tmp_path / "var"), "FACEGATE_ENV": "test"}
    (tmp_path / "empty").mkdir()
    r = _run(env, "calibrate", str(tmp_path / "empty"), "--out", str(tmp_path / "out"))
    assert r.returncode == 2 and "calibration_too_small" in r.stderr and "Traceback" not in r.stderr
    missing = _run(env, "calibrate", str(tmp_path / "nope"), "--out", str(tmp_path / "out"))
    assert missing.returncode == 2 and "folder_unreadable" in missing.stderr
