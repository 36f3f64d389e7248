"""Keys, roles and scopes on every request; the record verifies and exposes tampering (M-14.x, M-9.3)."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from facegate.adapters.sql import tables as t
from facegate.bootstrap import AppContext, build_context
from facegate.services.access import create_api_key
from facegate.testing import FakeFaceEngine, FixedClock
from facegate.web.app import create_app
from tests.conftest import install_deployment, make_settings

P = "identity_verification"


@pytest.fixture
def ctx(tmp_path: Path, clock: FixedClock, database_url: str) -> Iterator[AppContext]:
    c = build_context(make_settings(tmp_path, database_url), clock=clock, engine=FakeFaceEngine())
    install_deployment(c)
    install_deployment(c, id="other-desk")
    yield c
    c.close()


def _client(ctx: AppContext, role: str, scopes: tuple[str, ...] = ("*",)) -> TestClient:
    token = create_api_key(ctx.services, f"{role}-key", role, scopes).token
    return TestClient(create_app(ctx), headers={"Authorization": f"Bearer {token}"})


def test_requests_without_or_with_bad_keys_are_refused(ctx: AppContext) -> None:
    anonymous = TestClient(create_app(ctx))
    r = anonymous.get("/v1/deployments")
    assert r.status_code == 401 and r.json()["code"] == "key_missing" and r.json()["article_id"] == "M-14.3"
    assert anonymous.get("/v1/deployments", headers={"Authorization": "Bearer nonsense"}).json()["code"] == "key_malformed"
    forged = "fg_" + "0" * 16 + "_" + "A" * 43
    assert anonymous.get("/v1/deployments", headers={"Authorization": f"Bearer {forged}"}).json()["code"] == "key_invalid"
    assert anonymous.get("/healthz").status_code == 200


def test_roles_and_scopes(ctx: AppContext) -> None:
    device = _client(ctx, "device", ("hotel-frontdesk",))
    notice = device.get("/v1/deployments/hotel-frontdesk").json()["notice_version"]
    consent = {"deployment_id": "hotel-frontdesk", "subject_ref": "g1", "purpose": P, "notice_version": notice}
    assert device.post("/v1/consents", json=consent).status_code == 201
    assert device.post("/v1/deployments/hotel-frontdesk/enroll", params={"purpose": P, "subject_ref": "g1"},
                       content=b"face:alice:1").status_code == 201
    other = device.post("/v1/deployments/other-desk/verify", params={"purpose": P, "subject_ref": "g1"},
                        content=b"face:alice:2")
    assert other.status_code == 403 and other.json()["code"] == "forbidden_scope"
    assert device.get("/v1/audit/verify").json()["code"] == "forbidden_role"
    assert [d["id"] for d in device.get("/v1/deployments").json()] == ["hotel-frontdesk"]

    auditor = _client(ctx, "auditor")
    assert auditor.get("/v1/audit/verify").json()["ok"] is True
    touch = auditor.post("/v1/deployments/hotel-frontdesk/verify", params={"purpose": P, "subject_ref": "g1"},
                         content=b"face:alice:2")
    assert touch.status_code == 403 and touch.json()["code"] == "forbidden_role"  # auditors never touch faces
    assert auditor.delete("/v1/deployments/hotel-frontdesk/subjects/g1").json()["code"] == "forbidden_role"


def test_revoked_key_is_refused_and_reported(ctx: AppContext) -> None:
    admin = _client(ctx, "admin")
    created = admin.post("/v1/keys", json={"name": "door-3", "role": "device", "scopes": ["hotel-frontdesk"]}).json()
    door = TestClient(create_app(ctx), headers={"Authorization": f"Bearer {created['token']}"})
    assert door.get("/v1/deployments/hotel-frontdesk").status_code == 200
    assert admin.post(f"/v1/keys/{created['key_id']}/revoke").status_code == 200
    refused = door.get("/v1/deployments/hotel-frontdesk")
    assert refused.status_code == 401 and refused.json()["code"] == "key_revoked"
    kinds = [e["kind"] for e in admin.get("/v1/security/events").json()]
    assert "revoked_key_used" in kinds
    listed = admin.get("/v1/keys").json()
    assert all("token" not in k and "secret_hash" not in k for k in listed)


def test_failed_verifications_lock_the_face_path_but_not_the_alternative(ctx: AppContext) -> None:
    admin = _client(ctx, "admin")
    notice = admin.get("/v1/deployments/hotel-frontdesk").json()["notice_version"]
    admin.post("/v1/consents", json={"deployment_id": "hotel-frontdesk", "subject_ref": "g2", "purpose": P,
                                     "notice_version": notice})
    admin.post("/v1/deployments/hotel-frontdesk/enroll", params={"purpose": P, "subject_ref": "g2"},
               content=b"face:alice:1")
    for n in range(5):
        r = admin.post("/v1/deployments/hotel-frontdesk/verify", params={"purpose": P, "subject_ref": "g2"},
                       content=f"face:mallory:{n}".encode())
        assert r.json()["is_match"] is False
    locked = admin.post("/v1/deployments/hotel-frontdesk/verify", params={"purpose": P, "subject_ref": "g2"},
                        content=b"face:alice:2")
    assert locked.status_code == 403 and locked.json()["code"] == "subject_locked"
    assert locked.json()["article_id"] == "M-14.5"
    alt = admin.post("/v1/deployments/hotel-frontdesk/alternative",
                     json={"subject_ref": "g2", "purpose": P, "method": "staff_check", "is_verified": True})
    assert alt.status_code == 200 and alt.json()["is_verified"] is True
    assert "subject_locked" in [e["kind"] for e in admin.get("/v1/security/events").json()]


def test_tampering_is_found_and_offline_verification_agrees(ctx: AppContext, tmp_path: Path) -> None:
    auditor = _client(ctx, "auditor")
    export = auditor.get("/v1/audit/export")
    assert export.status_code == 200
    exported = tmp_path / "records.jsonl"
    exported.write_text(export.text)
    ok = subprocess.run([sys.executable, "-m", "facegate.offline_verify", str(exported)], capture_output=True, text=True)
    assert ok.returncode == 0, ok.stdout + ok.stderr

    lines = export.text.splitlines()
    at = next(i for i, line in enumerate(lines) if '"event"' in line and json.loads(line)["seq"] == 2)
    second = json.loads(lines[at])
    second["event"]["detail"]["status"] = "edited"
    lines[at] = json.dumps(second, ensure_ascii=False)
    exported.write_text("\n".join(lines) + "\n")
    bad = subprocess.run([sys.executable, "-m", "facegate.offline_verify", str(exported)], capture_output=True, text=True)
    assert bad.returncode == 1

    with ctx.store.engine.begin() as conn:
        conn.execute(update(t.audit_events).where(t.audit_events.c.seq == 2).values(actor="someone-else"))
    report = auditor.get("/v1/audit/verify").json()
    assert report["ok"] is False and report["first_broken_seq"] == 2


def test_notice_is_served_in_both_languages_with_its_version(tmp_path: Path, clock) -> None:  # type: ignore[no-untyped-def]
    from facegate.services.deployments import apply_manifest_text
    from tests.conftest import make_settings as settings_for

    c = build_context(settings_for(tmp_path / "n"), clock=clock, engine=FakeFaceEngine())
    try:
        text = (Path(__file__).resolve().parents[2] / "examples" / "hotel-front-desk-check-in.yaml").read_text()
        d = apply_manifest_text(c.services, text).deployment
        notice = _client(c, "auditor").get(f"/v1/deployments/{d.id}/notice").json()
        assert notice["version"] == d.notice_version  # M-5.4: consents bind to this version
        assert notice["zh"]["sections"] and notice["en"]["sections"]
    finally:
        c.close()


def test_a_cached_key_stops_working_the_moment_it_is_revoked(ctx: AppContext) -> None:
    """Issue 14: keys are cached, but a revocation is never served from the cache (M-14.4)."""
    from facegate.services.access import revoke_api_key
    from facegate.services.key_cache import KeyCache

    ctx.services.key_cache = KeyCache(ttl_s=5.0, clock=lambda: 0.0)  # an entry never expires by itself
    created = create_api_key(ctx.services, "door-4", "device", ("hotel-frontdesk",))
    door = TestClient(create_app(ctx), headers={"Authorization": f"Bearer {created.token}"})
    assert door.get("/v1/deployments/hotel-frontdesk").status_code == 200
    assert ctx.services.key_cache.get(created.key.key_id) is not None  # the next request is served from here
    revoke_api_key(ctx.services, created.key.key_id, actor="test")
    refused = door.get("/v1/deployments/hotel-frontdesk")
    assert refused.status_code == 401 and refused.json()["code"] == "key_revoked"


def test_a_cached_key_is_checked_on_the_event_loop_without_reading_the_store(
        ctx: AppContext, monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 14: once a key is cached (and counters are in memory), a request reads no key row and makes no
    thread-pool hop to authenticate; a revoked key is still refused at once (test above)."""
    import facegate.web.auth as auth
    from facegate.adapters.sql.access import SqlApiKeys
    from facegate.services.key_cache import KeyCache

    ctx.services.key_cache = KeyCache(ttl_s=5.0, clock=lambda: 0.0)
    created = create_api_key(ctx.services, "door-5", "device", ("hotel-frontdesk",))
    door = TestClient(create_app(ctx), headers={"Authorization": f"Bearer {created.token}"})
    assert door.get("/v1/deployments/hotel-frontdesk").status_code == 200  # reads the key, fills the cache
    hops: list[str] = []
    real_hop = auth.run_in_threadpool

    async def one_hop(fn: Any, *args: Any, **kwargs: Any) -> Any:  # the verify's work itself: its one hop
        hops.append(fn.__name__)
        return await real_hop(fn, *args, **kwargs)

    monkeypatch.setattr(auth, "run_in_threadpool", one_hop)
    reads: list[str] = []
    real_get = SqlApiKeys.get

    def counting(self: SqlApiKeys, key_id: str) -> object:
        reads.append(key_id)
        return real_get(self, key_id)

    monkeypatch.setattr(SqlApiKeys, "get", counting)
    for _ in range(3):  # refused by the gate (no consent), so authenticated and authorised first
        answer = door.post("/v1/deployments/hotel-frontdesk/verify", params={"purpose": P, "subject_ref": "nobody"},
                           content=b"face:nobody:1")
        assert answer.status_code == 403, answer.text
    # One hop per request, the work's own (auth.WorkHop): authentication did not go to the thread pool.
    assert hops == ["<lambda>"] * 3 and reads == []
