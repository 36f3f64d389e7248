"""Attack (issue 11, item 4): a key scoped to one deployment reaches a sibling deployment's data.

Two deployments of one processor hold the same person (one subject row per
processor). A key scoped to one of them must neither delete nor list what the
other holds (M-14.3); erasing the person everywhere is an admin's action with
scope '*', and the answer says which scope it covered (PIPL Art. 47).
Real engine on real photos, on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from facegate.bootstrap import AppContext
from facegate.services.access import create_api_key
from facegate.web.app import create_app
from tests.conftest import install_deployment

P = "identity_verification"
GATE, SPA = "jinxiu-garden-gate", "jinxiu-garden-spa"


def _client(ctx: AppContext, role: str, scopes: tuple[str, ...]) -> TestClient:
    token = create_api_key(ctx.services, f"{role}-key", role, scopes).token
    return TestClient(create_app(ctx), headers={"Authorization": f"Bearer {token}"})


@pytest.fixture
def enrolled(real_ctx: AppContext, face_images: dict[str, bytes]) -> Iterator[AppContext]:
    """guest-1 consented and enrolled in both sibling deployments."""
    install_deployment(real_ctx, id=GATE)
    install_deployment(real_ctx, id=SPA)
    admin = _client(real_ctx, "admin", ("*",))
    for d in (GATE, SPA):
        notice = admin.get(f"/v1/deployments/{d}").json()["notice_version"]
        assert admin.post("/v1/consents", json={"deployment_id": d, "subject_ref": "guest-1", "purpose": P,
                                                "notice_version": notice}).status_code == 201
        r = admin.post(f"/v1/deployments/{d}/enroll", params={"purpose": P, "subject_ref": "guest-1"},
                       content=face_images["obama.jpg"])
        assert r.status_code == 201, r.text
    yield real_ctx


def _matches(client: TestClient, d: str, image: bytes) -> bool:
    r = client.post(f"/v1/deployments/{d}/verify", params={"purpose": P, "subject_ref": "guest-1"}, content=image)
    assert r.status_code == 200, r.text
    return bool(r.json()["is_match"])


def test_scoped_operator_deletes_only_in_its_own_deployment(enrolled: AppContext,
                                                             face_images: dict[str, bytes]) -> None:
    gate_op = _client(enrolled, "operator", (GATE,))
    spa_op = _client(enrolled, "operator", (SPA,))
    out = gate_op.delete(f"/v1/deployments/{GATE}/subjects/guest-1")
    assert out.status_code == 200, out.text
    body = out.json()
    assert body["templates_deleted"] == 1 and body["key_destroyed"] is False  # main: 2 and True (both deployments)
    assert body["scope"] == "deployment"
    # The sibling deployment still holds and recognises the person.
    assert _matches(spa_op, SPA, face_images["obama2.jpg"])
    held = spa_op.get(f"/v1/deployments/{SPA}/subjects/guest-1").json()
    assert [c["deployment_id"] for c in held["consents"]] == [SPA] and len(held["templates"]) == 1
    # The gate deployment holds nothing any more: its face path is refused, not matched.
    again = gate_op.post(f"/v1/deployments/{GATE}/verify", params={"purpose": P, "subject_ref": "guest-1"},
                         content=face_images["obama2.jpg"])
    assert again.status_code == 403 and again.json()["code"] == "consent_missing"


def test_held_lists_only_the_keys_deployments(enrolled: AppContext) -> None:
    gate_op = _client(enrolled, "operator", (GATE,))
    held = gate_op.get(f"/v1/deployments/{GATE}/subjects/guest-1").json()
    assert {c["deployment_id"] for c in held["consents"]} == {GATE}
    assert {t["deployment_id"] for t in held["templates"]} == {GATE}
    wide = gate_op.get(f"/v1/deployments/{GATE}/subjects/guest-1", params={"everywhere": "true"})
    assert wide.status_code == 403 and wide.json()["code"] == "forbidden_scope"
    admin = _client(enrolled, "admin", ("*",))
    everything = admin.get(f"/v1/deployments/{GATE}/subjects/guest-1", params={"everywhere": "true"}).json()
    assert {c["deployment_id"] for c in everything["consents"]} == {GATE, SPA}


def test_processor_wide_erasure_is_an_admin_action_and_says_so(enrolled: AppContext,
                                                               face_images: dict[str, bytes]) -> None:
    gate_op = _client(enrolled, "operator", (GATE,))
    refused = gate_op.delete(f"/v1/deployments/{GATE}/subjects/guest-1", params={"everywhere": "true"})
    assert refused.status_code == 403 and refused.json()["code"] == "forbidden_role"
    wide_op = _client(enrolled, "operator", ("*",))
    assert wide_op.delete(f"/v1/deployments/{GATE}/subjects/guest-1",
                          params={"everywhere": "true"}).json()["code"] == "forbidden_role"
    scoped_admin = _client(enrolled, "admin", (GATE,))
    assert scoped_admin.delete(f"/v1/deployments/{GATE}/subjects/guest-1",
                               params={"everywhere": "true"}).json()["code"] == "forbidden_scope"
    spa_op = _client(enrolled, "operator", (SPA,))
    assert _matches(spa_op, SPA, face_images["obama2.jpg"])  # nothing was touched by the refusals

    admin = _client(enrolled, "admin", ("*",))
    out = admin.delete(f"/v1/deployments/{GATE}/subjects/guest-1", params={"everywhere": "true"}).json()
    assert out["scope"] == "processor" and out["templates_deleted"] == 2 and out["key_destroyed"] is True
    gone = admin.get(f"/v1/deployments/{SPA}/subjects/guest-1")
    assert gone.status_code == 404 and gone.json()["code"] == "subject_unknown"
    with enrolled.services.store.transaction(readonly=True) as tx:
        deletes = [c.event.detail.get("scope") for c in tx.record.events() if c.event.kind == "delete"]
    assert deletes == ["processor"]


def test_deleting_the_last_deployment_destroys_the_key(enrolled: AppContext) -> None:
    """Deployment by deployment, the person's data key goes with the last of their data (crypto-shredding)."""
    gate_op = _client(enrolled, "operator", (GATE,))
    spa_op = _client(enrolled, "operator", (SPA,))
    assert gate_op.delete(f"/v1/deployments/{GATE}/subjects/guest-1").json()["key_destroyed"] is False
    last = spa_op.delete(f"/v1/deployments/{SPA}/subjects/guest-1").json()
    assert last["key_destroyed"] is True and last["scope"] == "deployment"
    assert spa_op.get(f"/v1/deployments/{SPA}/subjects/guest-1").json()["code"] == "subject_unknown"
