"""`facegate engines` and the InsightFace engine through the real command: progress, and a refused start."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests import synthetic_onnx as synth

ROOT = Path(__file__).resolve().parents[2]
HOTEL, P = "westlake-hotel-front-desk", "check_in"


def test_engines_command_and_checksum_refusal(tmp_path: Path, face_images: dict[str, bytes]) -> None:
    models = synth.write_models(tmp_path / "models")
    env = {**os.environ, "FACEGATE_DATA_DIR": str(tmp_path / "var"), "FACEGATE_ENV": "test",
           "FACEGATE_ENGINE": "insightface", **{f"FACEGATE_{k.upper()}": v for k, v in models.items()}}

    def run(*args: str, **extra: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "facegate.cli.main", *args], capture_output=True, text=True,
                              env={**env, **extra}, cwd=ROOT, timeout=120)

    photo = tmp_path / "obama.jpg"
    photo.write_bytes(face_images["obama.jpg"])
    assert run("deploy", "apply", "examples/hotel-front-desk-check-in.yaml").returncode == 0
    assert run("consent", "give", HOTEL, "guest-1", "-p", P, "--age-14-or-over", "desk-3").returncode == 0
    enrolled = run("enroll", HOTEL, "guest-1", str(photo), "-p", P)
    assert enrolled.returncode == 0, enrolled.stderr
    verified = run("verify", HOTEL, "guest-1", str(photo), "-p", P, "--json")
    assert verified.returncode == 0 and json.loads(verified.stdout)["score"]["metric"] == "cosine"

    shown = run("engines", "--json")
    assert shown.returncode == 0, shown.stderr
    body = json.loads(shown.stdout)
    version = models["insightface_recognizer_sha256"][:16]
    assert body["current"] == f"insightface_arcface:{version}"
    assert [(g["deployment_id"], g["engine_version"], g["templates"]) for g in body["galleries"]] == [
        (HOTEL, version, 1)]
    assert "insightface_arcface" in run("engines", HOTEL).stdout

    wrong = run("engines", FACEGATE_INSIGHTFACE_RECOGNIZER_SHA256="0" * 64)
    assert wrong.returncode != 0 and "engine_model_checksum" in wrong.stderr
    assert "FACEGATE_INSIGHTFACE_RECOGNIZER_SHA256" in wrong.stderr
