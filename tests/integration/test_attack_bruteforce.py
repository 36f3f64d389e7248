"""Guessing secrets where nothing counted (issue 11, item 7), on real SQLite and PostgreSQL.

Console sign-in, kiosk pairing and receipt codes took unlimited wrong secrets with
no security event, and an address blocked for guessing API keys could still use
them all (M-14.5).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from facegate.bootstrap import AppContext, build_context
from facegate.services.access import create_api_key
from facegate.services.security import list_security_events
from facegate.testing import FakeFaceEngine
from facegate.web.app import create_app
from tests.browser.kiosk_setup import HOTEL, PURPOSE, hotel_manifest, install
from tests.conftest import make_settings

JSON = {"accept": "application/json"}
WRONG_KEY = "fg_0000000000000000_" + "x" * 43


@pytest.fixture
def ctx(tmp_path: Path, database_url: str) -> Iterator[AppContext]:
    c = build_context(make_settings(tmp_path, database_url), engine=FakeFaceEngine())
    install(c, hotel_manifest())
    yield c
    c.close()


@pytest.fixture
def web(ctx: AppContext) -> Iterator[TestClient]:
    with TestClient(create_app(ctx), raise_server_exceptions=False) as c:
        yield c


def _limit(ctx: AppContext) -> int:
    return ctx.defence.policy.auth_failures.count


def _events(ctx: AppContext) -> list[tuple[str, dict[str, object]]]:
    return [(e.kind, e.detail) for e in list_security_events(ctx.store)]


def _receipt(ctx: AppContext, ref: str = "guest-1") -> str:
    admin = create_api_key(ctx.services, "a", "admin", ("*",)).token
    with TestClient(create_app(ctx), headers={"Authorization": f"Bearer {admin}"}) as api:
        notice = api.get(f"/v1/deployments/{HOTEL}").json()["notice_version"]
        r = api.post("/v1/consents", json={"deployment_id": HOTEL, "subject_ref": ref, "purpose": PURPOSE,
                                           "notice_version": notice, "age_attested_by": "desk"})
        assert r.status_code == 201, r.text
        return str(r.json()["receipt_code"])


def test_console_login_guessing_is_counted_recorded_and_blocks(web: TestClient, ctx: AppContext) -> None:
    admin = create_api_key(ctx.services, "officer", "admin", ("*",)).token
    for _ in range(_limit(ctx) + 1):
        assert web.post("/console/login", data={"api_key": WRONG_KEY}).status_code == 401
    kinds = [k for k, _ in _events(ctx)]
    assert "secret_rejected" in kinds and "client_blocked" in kinds
    assert any(k == "client_blocked" and d.get("cause") == "console_login" for k, d in _events(ctx))
    # the right key no longer helps from this address: guessing is over for an hour
    r = web.post("/console/login", data={"api_key": admin}, follow_redirects=False)
    assert r.status_code == 429 and r.json()["code"] == "rate_limited" and r.json()["article_id"] == "M-14.5"


def test_kiosk_pairing_guessing_is_counted_recorded_and_blocks(web: TestClient, ctx: AppContext) -> None:
    device = create_api_key(ctx.services, "screen", "device", (HOTEL,)).token
    for _ in range(_limit(ctx) + 1):
        assert web.post(f"/kiosk/{HOTEL}/pair", data={"device_key": WRONG_KEY}).status_code == 401
    assert any(k == "client_blocked" and d.get("cause") == "kiosk_pairing" for k, d in _events(ctx))
    assert web.post(f"/kiosk/{HOTEL}/pair", data={"device_key": device}, follow_redirects=False).status_code == 429


def test_receipt_guessing_is_throttled_and_recorded(web: TestClient, ctx: AppContext) -> None:
    real = _receipt(ctx)
    for i in range(_limit(ctx) + 1):
        r = web.post("/self-service/lookup", data={"receipt_code": f"FGR-{i:026d}"}, headers=JSON)
        assert r.status_code == 404 and r.json()["code"] == "receipt_unknown"
    assert any(k == "client_blocked" and d.get("cause") == "receipt" for k, d in _events(ctx))
    r = web.post("/self-service/lookup", data={"receipt_code": real}, headers=JSON)
    assert r.status_code == 429


def test_a_blocked_client_is_refused_on_every_path(web: TestClient, ctx: AppContext) -> None:
    """Blocked for guessing API keys, the address may not try console, cookie, pairing or receipts either."""
    admin = create_api_key(ctx.services, "officer", "admin", ("*",)).token
    device = create_api_key(ctx.services, "screen", "device", (HOTEL,)).token
    real = _receipt(ctx)
    assert web.post("/console/login", data={"api_key": admin}, follow_redirects=False).status_code == 303
    assert web.get("/v1/workbench/figures").status_code == 200  # the login cookie works before the block
    for _ in range(_limit(ctx) + 1):
        web.get("/v1/deployments", headers={"Authorization": f"Bearer {WRONG_KEY}"})
    refused = {
        "console login": web.post("/console/login", data={"api_key": admin}, follow_redirects=False),
        "workbench by cookie": web.get("/v1/workbench/figures"),
        "console page by cookie": web.get("/console"),
        "pairing": web.post(f"/kiosk/{HOTEL}/pair", data={"device_key": device}, follow_redirects=False),
        "self-service": web.post("/self-service/lookup", data={"receipt_code": real}, headers=JSON),
    }
    assert {name: r.status_code for name, r in refused.items()} == {name: 429 for name in refused}
    assert web.get("/healthz").status_code == 200  # the process manager still sees the node alive


def test_receipt_codes_carry_at_least_128_random_bits(ctx: AppContext) -> None:
    codes = {_receipt(ctx, f"guest-{i}") for i in range(20)}
    assert len(codes) == 20
    for code in codes:
        m = re.fullmatch(r"FGR-([0-9A-HJKMNP-TV-Z]+)", code)
        assert m, code
        assert len(m.group(1)) * math.log2(32) >= 128
