"""The issue's scenario through the real `facegate` command, on the example hotel manifest and real photos."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FACEGATE = [sys.executable, "-m", "facegate.cli.main"]
HOTEL = "westlake-hotel-front-desk"
P = "check_in"


@pytest.fixture
def run(tmp_path: Path):  # type: ignore[no-untyped-def]
    env = {**os.environ, "FACEGATE_DATA_DIR": str(tmp_path / "var"), "FACEGATE_ENV": "test"}

    def _run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*FACEGATE, *args], capture_output=True, text=True, env=env, cwd=ROOT, timeout=120)

    return _run


def test_cli_scenario(run, tmp_path: Path, face_images: dict[str, bytes]) -> None:  # type: ignore[no-untyped-def]
    photos = {}
    for name in ("obama.jpg", "obama2.jpg", "biden.jpg"):
        photos[name] = tmp_path / name
        photos[name].write_bytes(face_images[name])

    applied = run("deploy", "apply", "examples/hotel-front-desk-check-in.yaml", "--json")
    assert applied.returncode == 0, applied.stderr
    assert json.loads(applied.stdout)["status"] == "active"
    blocked = run("deploy", "apply", "examples/hotel-guest-room-camera.yaml")
    assert blocked.returncode == 3 and "FG-13-01" in blocked.stdout

    refused = run("verify", HOTEL, "guest-1", str(photos["obama2.jpg"]), "-p", P)
    assert refused.returncode == 3 and "consent_missing" in refused.stderr and "M-6.1" in refused.stderr

    # M-7.1: hotels meet families, so every consent needs an age assertion, from the CLI too.
    no_age = run("consent", "give", HOTEL, "guest-1", "-p", P)
    assert no_age.returncode == 2 and "age_not_established" in no_age.stderr and "M-7.1" in no_age.stderr
    child = run("consent", "give", HOTEL, "guest-1", "-p", P, "--birth-date", "2020-05-01")
    assert child.returncode == 2 and "minors_not_allowed" in child.stderr
    assert run("consent", "give", HOTEL, "guest-1", "-p", P, "--age-14-or-over", "desk-3").returncode == 0
    enrolled = run("enroll", HOTEL, "guest-1", str(photos["obama.jpg"]), "-p", P)
    assert enrolled.returncode == 0, enrolled.stderr
    match = run("verify", HOTEL, "guest-1", str(photos["obama2.jpg"]), "-p", P, "--json")
    assert match.returncode == 0 and json.loads(match.stdout)["is_match"] is True
    nomatch = run("verify", HOTEL, "guest-1", str(photos["biden.jpg"]), "-p", P)
    assert nomatch.returncode == 1 and "no match" in nomatch.stdout

    undeclared = run("verify", HOTEL, "guest-1", str(photos["obama2.jpg"]), "-p", "marketing")
    assert undeclared.returncode == 3 and "purpose_undeclared" in undeclared.stderr
    one_to_n = run("identify", HOTEL, str(photos["obama2.jpg"]), "-p", P)
    assert one_to_n.returncode == 3 and "mode_not_allowed" in one_to_n.stderr  # 1:1 deployment (M-4.3)

    assert run("consent", "withdraw", HOTEL, "guest-1").returncode == 0
    withdrawn = run("verify", HOTEL, "guest-1", str(photos["obama2.jpg"]), "-p", P)
    assert withdrawn.returncode == 3 and "consent_withdrawn" in withdrawn.stderr

    assert run("deploy", "deactivate", HOTEL).returncode == 0
    inactive = run("verify", HOTEL, "guest-1", str(photos["obama2.jpg"]), "-p", P)
    assert inactive.returncode == 3 and "deployment_inactive" in inactive.stderr and "staff" in inactive.stderr.lower()

    verified = run("audit", "verify")
    assert verified.returncode == 0 and verified.stdout.startswith("ok:")
    bad = run("enroll", "nope", "guest-1", str(photos["obama.jpg"]), "-p", P)
    assert bad.returncode == 2 and "deployment_unknown" in bad.stderr and "Traceback" not in bad.stderr


def test_cli_identify_and_delete_on_a_statutory_1n_deployment(run, tmp_path: Path, face_images) -> None:  # type: ignore[no-untyped-def]
    for name in ("obama.jpg", "obama3.jpg"):
        (tmp_path / name).write_bytes(face_images[name])
    metro = "line2-people-square-security"
    assert run("deploy", "apply", "examples/metro-station-signed.yaml").returncode == 0
    # A law is the basis, but the notice is still given and recorded first (M-5.1, M-6.7).
    untold = run("enroll", metro, "watch-1", str(tmp_path / "obama.jpg"), "-p", "public_security")
    assert untold.returncode == 3 and "notice_not_recorded" in untold.stderr and "M-5.1" in untold.stderr
    consent = run("consent", "give", metro, "watch-1", "-p", "public_security", "--age-14-or-over", "officer-7")
    assert consent.returncode != 0 and "consent_not_the_basis" in consent.stderr
    told = run("consent", "notice", metro, "watch-1", "-p", "public_security", "--age-14-or-over", "officer-7")
    assert told.returncode == 0, told.stderr
    enrolled = run("enroll", metro, "watch-1", str(tmp_path / "obama.jpg"), "-p", "public_security")
    assert enrolled.returncode == 0, enrolled.stderr
    found = run("identify", metro, str(tmp_path / "obama3.jpg"), "-p", "public_security", "--json")
    assert found.returncode == 0, found.stderr
    assert [c["subject_ref"] for c in json.loads(found.stdout)["candidates"]] == ["watch-1"]
    deleted = run("delete", metro, "watch-1", "--json")
    assert json.loads(deleted.stdout)["key_destroyed"] is True
    again = run("identify", metro, str(tmp_path / "obama3.jpg"), "-p", "public_security", "--json")
    assert json.loads(again.stdout)["candidates"] == []


def test_cli_exit_codes_listing_and_a_tiny_face(run, tmp_path: Path, face_images: dict[str, bytes]) -> None:  # type: ignore[no-untyped-def]
    import io

    from PIL import Image

    tiny = tmp_path / "tiny.jpg"
    Image.open(io.BytesIO(face_images["obama.jpg"])).convert("RGB").resize((80, 100)).save(tiny, "JPEG")
    assert run("deploy", "apply", "examples/hotel-front-desk-check-in.yaml").returncode == 0
    listed = run("deploy", "list")
    header, row = listed.stdout.splitlines()[:2]
    assert header.split()[:5] == ["DEPLOYMENT", "VER", "STATUS", "MODE", "PURPOSES"]
    assert row.startswith(HOTEL) and P in row
    assert json.loads(run("deploy", "list", "--json").stdout)[0]["purposes"] == [P]
    assert json.loads(run("deploy", "deactivate", HOTEL, "--json").stdout)["status"] == "inactive"
    assert run("deploy", "activate", HOTEL).returncode == 0

    assert run("consent", "give", HOTEL, "guest-9", "-p", P, "--age-14-or-over", "desk-3").returncode == 0
    small = run("enroll", HOTEL, "guest-9", str(tiny), "-p", P)
    assert small.returncode == 2 and "face_too_small" in small.stderr
    missing = run("enroll", HOTEL, "guest-9", str(tmp_path / "nope.jpg"), "-p", P)
    assert missing.returncode == 2 and "image_unreadable" in missing.stderr
    usage = run("enroll", HOTEL)
    assert usage.returncode == 2 and "Missing argument" in usage.stderr
    (tmp_path / "obama.jpg").write_bytes(face_images["obama.jpg"])
    assert run("enroll", HOTEL, "guest-9", str(tmp_path / "obama.jpg"), "-p", P).returncode == 0
    nobody = run("verify", HOTEL, "guest-9", str(tiny), "-p", P)
    assert nobody.returncode == 2  # no comparison was made, so this is invalid input, not "no match"


def test_cli_unavailable_database_exits_four(tmp_path: Path) -> None:
    env = {**os.environ, "FACEGATE_DATA_DIR": str(tmp_path / "var"), "FACEGATE_ENV": "test",
           "FACEGATE_DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:1/none"}
    r = subprocess.run([*FACEGATE, "deploy", "list"], capture_output=True, text=True, env=env, cwd=ROOT, timeout=120)
    assert r.returncode == 4 and "error [unavailable]" in r.stderr and "Traceback" not in r.stderr
