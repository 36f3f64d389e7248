"""Smaller holes (issue 11, item 8), in process: echoes, existence leaks, costly images and manifests, CLI files.

The ones that need a real socket (access log, X-Forwarded-For, keep-alive) are in
test_attack_socket.py.
"""

from __future__ import annotations

import asyncio
import io
import logging
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from PIL import Image
from typer.testing import CliRunner

from facegate.bootstrap import AppContext, build_context
from facegate.cli.main import app as cli
from facegate.services.access import create_api_key
from facegate.services.deployments import set_active
from facegate.testing import FakeFaceEngine
from facegate.web.app import create_app
from tests.browser.kiosk_setup import HOTEL, PURPOSE, hotel_manifest, install
from tests.conftest import make_settings


@pytest.fixture
def ctx(tmp_path: Path, database_url: str) -> Iterator[AppContext]:
    c = build_context(make_settings(tmp_path, database_url), engine=FakeFaceEngine())
    install(c, hotel_manifest())
    install(c, hotel_manifest(id="closed-desk"))
    set_active(c.services, "closed-desk", False)
    yield c
    c.close()


@pytest.fixture
def api(ctx: AppContext) -> Iterator[TestClient]:
    admin = create_api_key(ctx.services, "admin", "admin", ("*",)).token
    with TestClient(create_app(ctx), headers={"Authorization": f"Bearer {admin}"},
                    raise_server_exceptions=False) as c:
        yield c


def _raw_get(ctx: AppContext, path: str, token: str) -> tuple[int, bytes]:
    """Straight into the ASGI app: HTTP clients refuse to send a 5 MB URL, an attacker's socket does not."""
    app = create_app(ctx)
    sent: list[dict[str, object]] = []

    async def receive() -> dict[str, object]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, object]) -> None:
        sent.append(message)

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET", "scheme": "http",
             "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "",
             "headers": [(b"authorization", f"Bearer {token}".encode()), (b"host", b"testserver")],
             "client": ("127.0.0.1", 5000), "server": ("testserver", 80)}
    # In a thread of its own: after the browser tests, Playwright's sync API leaves an event
    # loop running in the main thread, where asyncio.run refuses to start.
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, app(scope, receive, send)).result()  # type: ignore[arg-type]
    status = next(int(m["status"]) for m in sent if m["type"] == "http.response.start")  # type: ignore[call-overload]
    return status, b"".join(bytes(m.get("body", b"")) for m in sent if m["type"] == "http.response.body")  # type: ignore[arg-type]


def test_a_huge_path_parameter_is_not_echoed_back(ctx: AppContext) -> None:
    token = create_api_key(ctx.services, "admin", "admin", ("*",)).token
    huge = "a" * 5_000_000
    for path in (f"/v1/deployments/{huge}", f"/kiosk/{huge}", f"/v1/deployments/{HOTEL}/subjects/{huge}"):
        status, body = _raw_get(ctx, path, token)
        assert 400 <= status < 500 and len(body) < 4096, (status, len(body))
    # a long but allowed parameter is quoted at most once, shortened
    status, body = _raw_get(ctx, f"/v1/deployments/{'b' * 1500}", token)
    assert status == 404 and len(body) < 2048


def test_an_unpaired_kiosk_does_not_tell_whether_a_deployment_exists(ctx: AppContext) -> None:
    with TestClient(create_app(ctx), raise_server_exceptions=False) as anonymous:
        for suffix in ("", "/notice", "/alternative"):
            answers = {d: anonymous.get(f"/kiosk/{d}{suffix}") for d in (HOTEL, "closed-desk", "no-such-desk")}
            shapes = {d: (r.status_code, r.content) for d, r in answers.items()}
            assert len(set(shapes.values())) == 1, {d: (s, c[:120]) for d, (s, c) in shapes.items()}
            assert answers[HOTEL].json()["code"] == "kiosk_not_paired"


def _strip_png(width: int, height: int) -> bytes:
    buf = io.BytesIO()
    Image.new("L", (width, height)).save(buf, "PNG")
    return buf.getvalue()


@pytest.mark.parametrize(("size", "code"), [((1, 25_000_000), "image_too_small"),
                                             ((70, 350_000), "image_shape_unusable")])
def test_strip_images_are_refused_from_the_header_before_decoding(real_engine, size: tuple[int, int],  # type: ignore[no-untyped-def]
                                                                  code: str) -> None:
    from facegate.errors import ImageRejected
    from facegate.ports import FaceOptions

    with pytest.raises(ImageRejected) as exc:
        real_engine.embed(_strip_png(*size), FaceOptions())
    assert exc.value.code == code


def test_a_manifest_too_large_or_too_complex_is_refused_cheaply(api: TestClient) -> None:
    base = (Path(__file__).resolve().parents[2] / "examples" / "hotel-front-desk-check-in.yaml").read_text("utf-8")
    # 40 KiB: 20,000 values, each its own validation error (before: 20,000 errors and seconds of CPU)
    many = base.replace("face_data_types: [template]", "face_data_types: [" + ",".join(["x"] * 20_000) + "]")
    big = base + "# " + "x" * 256 * 1024 + "\n"
    for text in (many, big):
        r = api.post("/v1/deployments", content=text.encode(), headers={"content-type": "application/yaml"})
        assert r.status_code in (413, 422) and r.json()["code"] in ("manifest_invalid", "manifest_too_large")
        assert len(r.json().get("errors", [])) <= 50 and len(r.content) < 8192


def test_requests_are_logged_without_subject_references(api: TestClient, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="facegate.access"):
        api.post(f"/v1/deployments/{HOTEL}/verify", params={"purpose": PURPOSE, "subject_ref": "guest-secret-42"},
                 content=b"face:x:1", headers={"content-type": "image/jpeg"})
        api.get(f"/v1/deployments/{HOTEL}/subjects/guest-secret-43")
    lines = [r.getMessage() for r in caplog.records if r.name == "facegate.access"]
    assert any(f"/v1/deployments/{HOTEL}/verify" in ln for ln in lines), lines
    assert any("{subject_ref:path}" in ln for ln in lines), lines
    assert not any("guest-secret" in ln for ln in lines), lines


def test_trusted_proxies_are_the_only_source_of_forwarded_addresses() -> None:
    from facegate.web.serving import forwarded_client, parse_proxies

    proxies = parse_proxies("10.0.0.5, 10.1.0.0/16")
    assert forwarded_client("127.0.0.1", "203.0.113.9", proxies) == "127.0.0.1"  # local caller, not a proxy
    assert forwarded_client("10.0.0.5", "203.0.113.9", proxies) == "203.0.113.9"
    # the client may prepend anything; only the hop the trusted proxy saw counts
    assert forwarded_client("10.0.0.5", "198.51.100.1, 203.0.113.9, 10.1.2.3", proxies) == "203.0.113.9"
    assert forwarded_client("10.0.0.5", "not-an-address", proxies) == "10.0.0.5"
    assert forwarded_client("10.0.0.5", "203.0.113.9", parse_proxies("")) == "10.0.0.5"


@pytest.mark.timeout(120)
def test_the_cli_reads_an_endless_file_with_a_cap(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FACEGATE_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("FACEGATE_ENV", "test")
    monkeypatch.setenv("FACEGATE_ENGINE", "dlib")
    r = CliRunner().invoke(cli, ["enroll", HOTEL, "guest-1", "/dev/zero", "-p", PURPOSE])
    assert r.exit_code != 0 and "image_too_large" in r.output, r.output
    big = tmp_path / "manifest.yaml"
    with big.open("wb") as f:
        f.truncate(512 * 1024 * 1024)  # sparse: costs nothing on disk
    r = CliRunner().invoke(cli, ["deploy", "apply", str(big)])
    assert r.exit_code != 0 and "manifest_too_large" in r.output, r.output
