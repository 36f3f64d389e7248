"""The workbench over HTTP (API and console pages, TestClient) and on the CLI (Typer runner)."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from facegate.bootstrap import AppContext
from facegate.testing import FixedClock
from facegate.services.access import create_api_key
from facegate.web.app import create_app
from tests.browser.console_server import HOTEL, HOTEL_PROCESSOR, METRO, fixed_clock, workbench_ctx

PAGES = ("/console", "/console/assessments", "/console/filing", "/console/records", "/console/requests",
         f"/console/deployments/{HOTEL}", f"/console/deployments/{METRO}")


@pytest.fixture
def clock() -> FixedClock:
    return fixed_clock("2026-03-02")


@pytest.fixture
def ctx(tmp_path: Path, clock: FixedClock, database_url: str) -> Iterator[AppContext]:
    c = workbench_ctx(tmp_path, clock, "hotel-front-desk-check-in", "metro-station-signed", database_url=database_url)
    yield c
    c.close()


def admin_headers(ctx: AppContext) -> dict[str, str]:
    return {"Authorization": "Bearer " + create_api_key(ctx.services, "officer", "admin", ("*",)).token}


def test_console_needs_a_key_and_auditors_only_read(ctx: AppContext) -> None:
    with TestClient(create_app(ctx)) as anonymous:
        page = anonymous.get("/console", headers={"accept": "text/html"}, follow_redirects=False)
        assert page.status_code == 303 and page.headers["location"] == "/console/login"
        assert anonymous.get("/v1/workbench/figures").json()["code"] == "console_login_required"
        auditor = create_api_key(ctx.services, "auditor", "auditor", ("*",)).token
        assert anonymous.post("/console/login", data={"api_key": auditor}, follow_redirects=False).status_code == 303
        assert anonymous.get("/console").status_code == 200  # signed in by cookie
        write = anonymous.post("/v1/workbench/incidents", json={"deployment_id": HOTEL, "summary": "x", "is_major": True})
        assert write.status_code == 403 and write.json()["code"] == "forbidden_role"
        device = create_api_key(ctx.services, "door", "device", (HOTEL,)).token
        refused = anonymous.post("/console/login", data={"api_key": device})
        assert refused.status_code == 401


@pytest.fixture
def client(ctx: AppContext) -> Iterator[TestClient]:
    with TestClient(create_app(ctx), headers=admin_headers(ctx)) as c:
        yield c


def test_assessment_api_generate_approve_and_reports(client: TestClient) -> None:
    base = f"/v1/workbench/deployments/{HOTEL}/assessments"
    made = client.post(base, json={"reviewer": "王芳"})
    assert made.status_code == 201 and made.json()["version"] == 1 and made.json()["status"] == "draft"
    assert client.post(base, json={"reviewer": "王芳"}).json()["version"] == 1  # same content: the same draft
    signed = client.post(f"{base}/1/approve").json()
    assert signed["status"] == "approved" and signed["reviewer"] == "officer"  # the calling key's own name
    again = client.post(f"{base}/1/approve")
    assert again.status_code == 422 and again.json()["code"] == "assessment_not_draft"
    zh = client.get(f"{base}/1/report.html?lang=zh")
    assert zh.status_code == 200 and "已批准" in zh.text and zh.headers["content-type"].startswith("text/html")
    pdf = client.get(f"{base}/latest/report.pdf?lang=en")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert client.get(f"{base}/9/report.html").json()["code"] == "assessment_unknown"
    assert client.get(f"{base}/1/report.doc").json()["code"] == "format_unsupported"
    listing = client.get(base).json()
    assert listing[0]["links"]["pdf_zh"].endswith("/assessments/1/report.pdf?lang=zh")
    state = client.get(f"/v1/workbench/deployments/{HOTEL}/assessment-state").json()
    assert state["is_outdated"] is False and state["article_id"] == "M-9.5"
    inc = client.post("/v1/workbench/incidents", json={"deployment_id": HOTEL, "is_major": True, "summary": "Leak"})
    assert inc.status_code == 201
    state = client.get(f"/v1/workbench/deployments/{HOTEL}/assessment-state").json()
    assert state["is_outdated"] is True and state["reasons"] == ["major_incident"]
    assert state["is_blocking_enrolment"] is False  # still within the grace period


def test_filing_dossier_and_sign_endpoints(client: TestClient) -> None:
    status = client.get("/v1/workbench/filing", params={"processor_id": HOTEL_PROCESSOR}).json()
    assert status["count"] == 0 and status["threshold"] == 100_000 and status["error"] is None
    assert client.get("/v1/workbench/filing").json()["code"] == "processor_required"  # two processors here
    made = client.post("/v1/workbench/filing/records", json={
        "processor_id": HOTEL_PROCESSOR, "authority": "浙江省委网信办", "submitted_on": "2026-03-01",
        "filing_number": "ZJ-1"})
    assert made.status_code == 201 and made.json()["status"] == "submitted"
    z = client.get("/v1/workbench/dossier.zip", params={"processor_id": HOTEL_PROCESSOR})
    assert z.status_code == 200 and z.headers["content-type"] == "application/zip"
    assert "dossier.json" in zipfile.ZipFile(io.BytesIO(z.content)).namelist()
    svg = client.get(f"/v1/workbench/deployments/{METRO}/sign.svg?size=A3")
    assert svg.status_code == 200 and svg.headers["content-type"].startswith("image/svg+xml")
    assert client.get(f"/v1/workbench/deployments/{HOTEL}/sign.svg").json()["code"] == "sign_not_public_place"
    figures = client.get("/v1/workbench/figures").json()
    assert {f["deployment_id"] for f in figures} == {HOTEL, METRO}


def test_every_console_page_renders_in_both_languages(client: TestClient) -> None:
    for path in PAGES:
        for lang, word in (("zh", "合规工作台"), ("en", "Compliance console")):
            r = client.get(path, params={"lang": lang})
            assert r.status_code == 200, (path, r.text[:300])
            assert word in r.text and f'lang="{"zh-CN" if lang == "zh" else "en"}"' in r.text
            assert "script-src 'none'" in r.headers["content-security-policy"]
    missing = client.get("/console/deployments/nope")
    assert missing.status_code == 404 and "deployment_unknown" in missing.text


def test_console_forms_generate_approve_and_record_an_incident(client: TestClient) -> None:
    r = client.post(f"/console/deployments/{HOTEL}/assessments", data={"reviewer": ""}, follow_redirects=False)
    assert r.status_code == 303
    asked = client.post(f"/console/deployments/{HOTEL}/assessments/1/approve", data={})
    assert asked.status_code == 200 and 'name="confirm" value="yes"' in asked.text  # nothing signed yet
    assert 'data-status="approved"' not in client.get(f"/console/deployments/{HOTEL}?lang=en").text
    r = client.post(f"/console/deployments/{HOTEL}/assessments/1/approve", data={"confirm": "yes"},
                    follow_redirects=True)
    assert r.status_code == 200 and "approved" in r.text
    r = client.post("/console/incidents", data={"deployment_id": HOTEL, "summary": "Phishing", "is_major": "true"},
                    follow_redirects=True)
    assert r.status_code == 200 and "Phishing" in r.text
    page = client.get(f"/console/deployments/{HOTEL}?lang=en").text
    assert 'data-code="assessment_outdated"' in page and "a major security incident was recorded" in page


def test_calendar_year_missing_is_a_banner_not_a_crash(tmp_path: Path) -> None:
    clock = fixed_clock("2026-11-26")
    ctx = workbench_ctx(tmp_path, clock, "hotel-front-desk-check-in")
    try:
        from facegate.web.console.wiring import workbench_deps

        with ctx.services.store.transaction() as tx:
            tx.workbench.put_people_count(HOTEL_PROCESSOR, clock.now().date(), 100_000,
                                                               clock.now())
        with TestClient(create_app(ctx), headers=admin_headers(ctx)) as c:
            for path in ("/console", "/console/filing"):
                r = c.get(path, params={"lang": "en"})
                assert r.status_code == 200 and 'data-code="calendar_year_missing"' in r.text
                assert "calendar.yaml" in r.text
            api = c.get("/v1/workbench/filing").json()
            assert api["error"]["code"] == "calendar_year_missing"
    finally:
        ctx.close()


def test_cli_pia_filing_dossier_sign(ctx: AppContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from facegate.cli import context as cli_context
    from facegate.cli.main import app

    monkeypatch.setattr(cli_context, "local_context", lambda: ctx)
    import facegate.cli.workbench as wb_cli

    monkeypatch.setattr(wb_cli, "local_context", lambda: ctx)
    run = CliRunner().invoke
    out = tmp_path / "out"
    r = run(app, ["workbench", "pia", HOTEL, "--out", str(out), "--format", "html", "--approve", "--json"])
    assert r.exit_code == 0, r.output
    data = json.loads(r.output)
    assert data["status"] == "approved" and len(data["files"]) == 2
    assert "已批准" in (out / f"pia-{HOTEL}-v1-zh.html").read_text(encoding="utf-8")
    r = run(app, ["workbench", "filing", "--processor", HOTEL_PROCESSOR])
    assert r.exit_code == 0 and "0 people stored" in r.output
    r = run(app, ["workbench", "dossier", "--processor", HOTEL_PROCESSOR, "--out", str(tmp_path / "d.zip")])
    assert r.exit_code == 0 and zipfile.is_zipfile(tmp_path / "d.zip")
    r = run(app, ["workbench", "sign", METRO, "--format", "svg", "--out", str(tmp_path / "s.svg")])
    assert r.exit_code == 0 and (tmp_path / "s.svg").read_text(encoding="utf-8").startswith("<svg")
    r = run(app, ["workbench", "sign", HOTEL, "--format", "svg"])
    assert r.exit_code == 2 and "sign_not_public_place" in r.output
