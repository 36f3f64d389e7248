"""Attack (issue 11, item 1): someone at a paired kiosk claims another person's existing reference.

The attacker types ``guest-1`` (already consented and enrolled) into the kiosk's
consent form, gets a receipt, enrols their own face under it and deletes guest-1
through self-service. A reference that already has consent or templates is
bound to its person: the kiosk acts on it only with proof (a claim code from
staff or the integrator's booking, or a face match against the held template),
and a new person gets a fresh reference issued by the service (M-14.3, M-12.2).
Real engine on real photos, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from facegate.bootstrap import AppContext
from facegate.services.access import create_api_key
from facegate.web.app import create_app
from tests.browser.kiosk_setup import HOTEL, PURPOSE, hotel_manifest, install
from tests.integration.test_person_http import pair

JSON = {"accept": "application/json"}


@pytest.fixture
def kiosk(real_ctx: AppContext) -> Iterator[TestClient]:
    install(real_ctx, hotel_manifest())
    with TestClient(create_app(real_ctx)) as c:
        pair(c, real_ctx, HOTEL)
        yield c


def _consent(c: TestClient, ref: str, **fields: str) -> object:
    html = c.get(f"/kiosk/{HOTEL}/consent").text
    form = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', html))
    form.update({"subject_ref": ref, "birth_date": "1990-01-01", "face_consent": "yes", **fields})
    return c.post(f"/kiosk/{HOTEL}/consent", data=form)


def _receipt(response: object) -> str:
    return re.search(r'id="receipt-code">([^<]+)<', response.text).group(1)  # type: ignore[attr-defined]


def _enroll(c: TestClient, receipt: str, image: bytes) -> object:
    token = c.get(f"/kiosk/{HOTEL}/form-token", params={"kind": "capture"}).json()["token"]
    return c.post(f"/kiosk/{HOTEL}/enroll", content=image, headers={"x-form-token": token, "x-receipt-code": receipt})


def _verify(c: TestClient, ref: str, image: bytes) -> dict[str, object]:
    token = c.get(f"/kiosk/{HOTEL}/form-token", params={"kind": "verify"}).json()["token"]
    r = c.post(f"/kiosk/{HOTEL}/verify", params={"subject_ref": ref}, content=image, headers={"x-form-token": token})
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]


def _held(ctx: AppContext, ref: str) -> tuple[int, int]:
    with ctx.services.store.transaction(readonly=True) as tx:
        s = tx.subjects.get(tx.deployments.get(HOTEL).processor_id, ref)  # type: ignore[union-attr]
        return (len(tx.consents.for_subject(s.id)), tx.templates.count_for_subject(s.id)) if s else (0, 0)


@pytest.fixture
def victim(kiosk: TestClient, real_ctx: AppContext, face_images: dict[str, bytes]) -> str:
    """guest-1 consented at the kiosk and enrolled their face; returns their receipt."""
    first = _consent(kiosk, "guest-1")
    assert first.status_code == 200  # type: ignore[attr-defined]
    code = _receipt(first)
    assert _enroll(kiosk, code, face_images["obama.jpg"]).status_code == 201  # type: ignore[attr-defined]
    return code


def test_a_stranger_at_the_kiosk_cannot_claim_an_existing_reference(
        kiosk: TestClient, real_ctx: AppContext, victim: str, face_images: dict[str, bytes]) -> None:
    attack = _consent(kiosk, "guest-1")
    # main: 201 and a fresh receipt, then the attacker's face under guest-1 and a self-service deletion.
    assert attack.status_code == 409, "the kiosk handed out a receipt for someone else's reference"  # type: ignore[attr-defined]
    assert attack.headers["x-problem-code"] == "subject_ref_taken"  # type: ignore[attr-defined]
    assert 'data-code="subject_ref_taken"' in attack.text  # type: ignore[attr-defined]
    assert "receipt-code" not in attack.text  # type: ignore[attr-defined]
    assert _held(real_ctx, "guest-1") == (1, 1)  # nothing was added
    assert _verify(kiosk, "guest-1", face_images["biden.jpg"])["is_match"] is False
    assert _verify(kiosk, "guest-1", face_images["obama2.jpg"])["is_match"] is True
    # A claim code issued for another reference does not open this one.
    staff = {"authorization": "Bearer " + create_api_key(real_ctx.services, "desk", "operator", (HOTEL,)).token}
    other = kiosk.post(f"/v1/deployments/{HOTEL}/subjects/guest-2/claims", headers=staff).json()["claim_code"]
    forged = _consent(kiosk, "guest-1", claim_code=other)
    assert forged.status_code == 403 and forged.headers["x-problem-code"] == "claim_code_invalid"  # type: ignore[attr-defined]
    assert _held(real_ctx, "guest-1") == (1, 1)


def test_a_new_person_gets_a_fresh_reference_from_the_service(
        kiosk: TestClient, real_ctx: AppContext, face_images: dict[str, bytes]) -> None:
    r = _consent(kiosk, "")
    assert r.status_code == 200  # type: ignore[attr-defined]
    ref = re.search(r'id="issued-ref">([^<]+)<', r.text).group(1)  # type: ignore[attr-defined]
    assert ref.startswith("FGP-") and _held(real_ctx, ref) == (1, 0)
    assert _enroll(kiosk, _receipt(r), face_images["obama.jpg"]).status_code == 201  # type: ignore[attr-defined]
    assert _verify(kiosk, ref, face_images["obama2.jpg"])["is_match"] is True
    second = _consent(kiosk, "")
    assert re.search(r'id="issued-ref">([^<]+)<', second.text).group(1) != ref  # type: ignore[attr-defined]


def test_staff_or_a_booking_claim_code_lets_the_person_act_on_their_reference(
        kiosk: TestClient, real_ctx: AppContext, victim: str) -> None:
    device = {"authorization": "Bearer " + create_api_key(real_ctx.services, "door", "device", (HOTEL,)).token}
    assert kiosk.post(f"/v1/deployments/{HOTEL}/subjects/guest-1/claims",
                      headers=device).json()["code"] == "forbidden_role"
    elsewhere = {"authorization": "Bearer " + create_api_key(real_ctx.services, "x", "operator", ("other",)).token}
    assert kiosk.post(f"/v1/deployments/{HOTEL}/subjects/guest-1/claims",
                      headers=elsewhere).json()["code"] == "forbidden_scope"
    staff = {"authorization": "Bearer " + create_api_key(real_ctx.services, "desk", "operator", (HOTEL,)).token}
    issued = kiosk.post(f"/v1/deployments/{HOTEL}/subjects/guest-1/claims", json={"ttl_minutes": 60},
                        headers=staff)
    assert issued.status_code == 201 and issued.json()["claim_code"].startswith("FGC-")
    code = issued.json()["claim_code"]
    ok = _consent(kiosk, "guest-1", claim_code=code.lower())
    assert ok.status_code == 200 and _held(real_ctx, "guest-1") == (2, 1)  # type: ignore[attr-defined]
    replay = _consent(kiosk, "guest-1", claim_code=code)
    assert replay.status_code == 403 and replay.headers["x-problem-code"] == "claim_code_invalid"  # type: ignore[attr-defined]
    with real_ctx.services.store.transaction(readonly=True) as tx:
        kinds = [c.event.kind for c in tx.record.events()]
    assert "claim_issued" in kinds


def test_a_face_match_against_the_held_template_is_proof(
        kiosk: TestClient, real_ctx: AppContext, victim: str, face_images: dict[str, bytes]) -> None:
    miss = _verify(kiosk, "guest-1", face_images["biden.jpg"])
    assert miss["is_match"] is False and "claim_code" not in miss
    hit = _verify(kiosk, "guest-1", face_images["obama2.jpg"])
    assert hit["is_match"] is True and str(hit["claim_code"]).startswith("FGC-")
    assert _consent(kiosk, "guest-1", claim_code=str(hit["claim_code"])).status_code == 200  # type: ignore[attr-defined]


def test_self_service_acts_only_on_what_its_receipt_created(
        kiosk: TestClient, real_ctx: AppContext, victim: str, face_images: dict[str, bytes]) -> None:
    """guest-1 also holds a consent and a template in a sibling deployment; their hotel receipt leaves it."""
    install(real_ctx, hotel_manifest(id="westlake-hotel-spa"))
    admin = {"authorization": "Bearer " + create_api_key(real_ctx.services, "it", "admin", ("*",)).token}
    notice = kiosk.get("/v1/deployments/westlake-hotel-spa", headers=admin).json()["notice_version"]
    assert kiosk.post("/v1/consents", headers=admin, json={
        "deployment_id": "westlake-hotel-spa", "subject_ref": "guest-1", "purpose": PURPOSE,
        "notice_version": notice, "age_attested_by": "desk"}).status_code == 201
    assert kiosk.post("/v1/deployments/westlake-hotel-spa/enroll", params={"purpose": PURPOSE, "subject_ref": "guest-1"},
                      headers=admin, content=face_images["obama.jpg"]).status_code == 201
    html = kiosk.post("/self-service/lookup", data={"receipt_code": victim}).text
    token = re.search(r'action="/self-service/delete\?lang=zh"[^>]*>\s*<input type="hidden" name="receipt_code" '
                      r'value="[^"]*"><input type="hidden" name="token" value="([^"]+)"', html).group(1)  # type: ignore[union-attr]
    done = kiosk.post("/self-service/delete", data={"receipt_code": victim, "token": token}, headers=JSON).json()
    assert done["templates_deleted"] == 1 and done["key_destroyed"] is False
    assert _held(real_ctx, "guest-1") == (1, 1)  # the spa's consent and template remain
    r = kiosk.post("/v1/deployments/westlake-hotel-spa/verify", params={"purpose": PURPOSE, "subject_ref": "guest-1"},
                   headers=admin, content=face_images["obama2.jpg"])
    assert r.json()["is_match"] is True


def test_staff_issue_a_claim_code_from_the_cli(kiosk: TestClient, real_ctx: AppContext, victim: str,
                                               tmp_path: object, database_url: str,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from facegate.cli.context import local_context
    from facegate.cli.main import app as cli

    monkeypatch.setenv("FACEGATE_DATA_DIR", str(tmp_path) + "/data")
    monkeypatch.setenv("FACEGATE_DATABASE_URL", database_url)
    monkeypatch.setenv("FACEGATE_ENV", "test")
    local_context.cache_clear()
    try:
        out = CliRunner().invoke(cli, ["consent", "claim", HOTEL, "guest-1", "--json"])
    finally:
        local_context().close()
        local_context.cache_clear()
    assert out.exit_code == 0, out.output
    code = json.loads(out.output)["claim_code"]
    assert _consent(kiosk, "guest-1", claim_code=code).status_code == 200  # type: ignore[attr-defined]
