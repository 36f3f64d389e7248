"""`check` and `schema manifest` through Typer's CliRunner on a local app."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from facegate.cli.check import register

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
PASS = str(EXAMPLES / "hotel-front-desk-check-in.yaml")
BLOCKED = str(EXAMPLES / "hotel-guest-room-camera.yaml")
INVALID = str(EXAMPLES / "gym-retention-forever.yaml")


@pytest.fixture
def app() -> typer.Typer:
    app = typer.Typer()
    register(app)
    return app


def _run(app: typer.Typer, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


def test_pass_exits_zero(app: typer.Typer) -> None:
    code, out = _run(app, "check", PASS)
    assert code == 0 and "PASS" in out


def test_blocking_exits_three_grouped_by_article(app: typer.Typer) -> None:
    code, out = _run(app, "check", BLOCKED)
    assert code == 3  # refused, as in the CLI's exit-code table
    assert "BLOCKED" in out and "Article 13" in out and "FG-13-01" in out
    assert "scenario.private_space (line 22)" in out
    assert "私密空间" in out


def test_invalid_exits_two_with_path_and_line(app: typer.Typer) -> None:
    code, out = _run(app, "check", INVALID)
    assert code == 2
    assert "INVALID" in out and "retention.days (line" in out
    assert "Traceback" not in out


def test_invalid_wins_over_blocked(app: typer.Typer) -> None:
    code, out = _run(app, "check", PASS, BLOCKED, INVALID)
    assert code == 2 and "3 manifests: 1 pass, 1 blocked, 1 invalid" in out


def test_missing_file_is_invalid_not_a_traceback(app: typer.Typer, tmp_path: Path) -> None:
    code, out = _run(app, "check", str(tmp_path / "nope.yaml"))
    assert code == 2 and "cannot read" in out


def test_json_format(app: typer.Typer) -> None:
    code, out = _run(app, "check", "--format", "json", BLOCKED, INVALID)
    body = json.loads(out)
    assert code == 2 and body["exit_code"] == 2
    blocked, invalid = body["results"]
    assert blocked["verdict"] == "blocked"
    assert any(f["rule_id"] == "FG-13-01" and f["line"] == 22 for f in blocked["findings"])
    assert invalid["verdict"] == "invalid" and invalid["errors"][0]["path"] == "retention.days"


def test_markdown_format(app: typer.Typer) -> None:
    code, out = _run(app, "check", "-f", "markdown", BLOCKED)
    assert code == 3 and "### Article 13" in out and "| blocking | FG-13-01 |" in out


def test_sarif_format(app: typer.Typer) -> None:
    code, out = _run(app, "check", "--format", "sarif", BLOCKED, INVALID)
    doc = json.loads(out)
    assert code == 2 and doc["version"] == "2.1.0"
    run = doc["runs"][0]
    assert {"FG-13-01", "manifest-invalid"} <= {r["id"] for r in run["tool"]["driver"]["rules"]}
    levels = {r["ruleId"]: r["level"] for r in run["results"]}
    assert levels["FG-13-01"] == "error" and levels["FG-11-01"] == "note"
    assert levels["manifest-invalid"] == "error"
    hit = next(r for r in run["results"] if r["ruleId"] == "FG-13-01")
    assert hit["locations"][0]["physicalLocation"]["region"]["startLine"] == 22


def test_bad_format_is_a_usage_error(app: typer.Typer) -> None:
    code, _ = _run(app, "check", "--format", "xml", PASS)
    assert code == 2


def test_schema_manifest(app: typer.Typer) -> None:
    code, out = _run(app, "schema", "manifest")
    schema = json.loads(out)
    assert code == 0 and schema["title"] == "facegate deployment manifest"
