"""Kiosk, self-service and the operator's request list over HTTP: bad input gets a page and a stable code."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from facegate.bootstrap import AppContext
from facegate.services.deployments import set_active
from facegate.testing import FixedClock
from facegate.services.access import create_api_key, revoke_api_key
from facegate.web.app import create_app
from tests.browser.kiosk_setup import HOTEL, hotel_manifest, install

JSON = {"accept": "application/json"}


@pytest.fixture
def client(fake_ctx: AppContext) -> Iterator[TestClient]:
    install(fake_ctx, hotel_manifest())
    install(fake_ctx, hotel_manifest(id="closed-desk"))
    set_active(fake_ctx.services, "closed-desk", False)
    with TestClient(create_app(fake_ctx)) as c:
        pair(c, fake_ctx, "westlake-hotel-front-desk", "closed-desk")
        yield c


def pair(client: TestClient, ctx: AppContext, *deployments: str) -> None:
    """Pair the test client's screen with a device key, through the staff pairing form."""
    token = create_api_key(ctx.services, "desk-screen", "device", deployments).token
    for d in deployments:
        r = client.post(f"/kiosk/{d}/pair", data={"device_key": token}, follow_redirects=False)
        assert r.status_code == 303, r.text


def test_an_unpaired_screen_cannot_capture_faces(fake_ctx: AppContext) -> None:
    install(fake_ctx, hotel_manifest())
    with TestClient(create_app(fake_ctx)) as c:
        r = c.get("/kiosk/westlake-hotel-front-desk")
        assert r.status_code == 401 and r.json()["code"] == "kiosk_not_paired" and r.json()["article_id"] == "M-14.3"
        wrong = c.post("/kiosk/westlake-hotel-front-desk/pair", data={"device_key": "fg_0000000000000000_" + "x" * 43})
        assert wrong.status_code == 401
        c.cookies.set("fg_kiosk_westlake_hotel_front_desk", "k.9999999999.forged", path="/kiosk/westlake-hotel-front-desk")
        assert c.get("/kiosk/westlake-hotel-front-desk").status_code == 401
        created = create_api_key(fake_ctx.services, "desk", "device", ("westlake-hotel-front-desk",))
        c.cookies.clear()
        assert c.post("/kiosk/westlake-hotel-front-desk/pair", data={"device_key": created.token}).status_code == 200
        assert c.get("/kiosk/westlake-hotel-front-desk").status_code == 200
        revoke_api_key(fake_ctx.services, created.key.key_id)
        assert c.get("/kiosk/westlake-hotel-front-desk").json()["code"] == "kiosk_not_paired"


def _form(client: TestClient, url: str) -> dict[str, str]:
    html = client.get(url).text
    return dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', html))


def _consent(client: TestClient, ref: str = "guest-1", **fields: str) -> tuple[dict[str, str], object]:
    form = _form(client, f"/kiosk/{HOTEL}/consent")
    form.update({"subject_ref": ref, "birth_date": "1990-01-01", "face_consent": "yes", **fields})
    return form, client.post(f"/kiosk/{HOTEL}/consent", data=form)


def _receipt(response: object) -> str:
    return re.search(r'id="receipt-code">([^<]+)<', response.text).group(1)  # type: ignore[attr-defined]


def _subjects(ctx: AppContext, ref: str) -> object:
    with ctx.services.store.transaction() as tx:
        return tx.subjects.get(tx.deployments.get(HOTEL).processor_id, ref)


def test_replayed_consent_form_is_refused_and_stores_nothing_twice(client: TestClient, fake_ctx: AppContext) -> None:
    form, first = _consent(client)
    assert first.status_code == 200 and _receipt(first).startswith("FGR-")  # type: ignore[attr-defined]
    again = client.post(f"/kiosk/{HOTEL}/consent", data=form)
    assert again.status_code == 409 and again.headers["x-problem-code"] == "form_token_used"
    assert 'data-code="form_token_used"' in again.text and "此表单已提交过" in again.text
    subject = _subjects(fake_ctx, "guest-1")
    with fake_ctx.services.store.transaction() as tx:
        assert len(tx.consents.for_subject(subject.id)) == 1  # type: ignore[attr-defined]


@pytest.mark.parametrize(("fields", "code", "status"), [
    ({"birth_date": "2999-01-01"}, "birth_date_future", 422),
    ({"birth_date": "31/02/1990"}, "birth_date_invalid", 422),
    ({"birth_date": ""}, "birth_date_missing", 422),
    ({"face_consent": ""}, "consent_not_given", 422),
    ({"notice_version": "0" * 64}, "notice_version_mismatch", 409),
    ({"purpose": "marketing"}, "purpose_undeclared", 409),
    ({"subject_ref": "bad\x00ref"}, "subject_ref_invalid", 422),
])
def test_bad_consent_input_is_explained_and_nothing_is_stored(
        client: TestClient, fake_ctx: AppContext, fields: dict[str, str], code: str, status: int) -> None:
    _, r = _consent(client, "guest-bad", **fields)
    assert r.status_code == status and r.headers["x-problem-code"] == code  # type: ignore[attr-defined]
    assert f'data-code="{code}"' in r.text and 'id="face_consent"' in r.text  # type: ignore[attr-defined]
    assert _subjects(fake_ctx, "guest-bad") is None


def test_unknown_and_inactive_deployments(client: TestClient) -> None:
    # A screen not paired for "nope" learns nothing about it (issue 11 item 8): the same 401 as anywhere unpaired.
    assert client.get("/kiosk/nope").json()["code"] == "kiosk_not_paired"
    closed = client.get("/kiosk/closed-desk")
    assert closed.status_code == 403 and closed.json()["code"] == "deployment_inactive"
    r = client.post("/kiosk/closed-desk/consent", data={"subject_ref": "x"})
    assert r.status_code == 403 and r.json()["code"] == "deployment_inactive"


def test_capture_needs_a_token_a_live_receipt_and_an_image(client: TestClient, fake_ctx: AppContext) -> None:
    code = _receipt(_consent(client)[1])

    def enroll(body: bytes, receipt: str, token: str | None = None) -> object:
        token = token or client.get(f"/kiosk/{HOTEL}/form-token", params={"kind": "capture"}).json()["token"]
        return client.post(f"/kiosk/{HOTEL}/enroll", content=body,
                           headers={"x-form-token": token, "x-receipt-code": receipt})

    assert client.post(f"/kiosk/{HOTEL}/enroll", content=b"x").json()["code"] == "form_token_invalid"
    assert enroll(b"face:guest-1:1", "FGR-0000000000000000").json()["code"] == "receipt_unknown"  # type: ignore[attr-defined]
    not_image = enroll(b"%PDF-1.4 not a face", code)
    assert not_image.status_code == 422 and not_image.json()["code"] == "no_face"  # type: ignore[attr-defined]
    token = client.get(f"/kiosk/{HOTEL}/form-token", params={"kind": "capture"}).json()["token"]
    assert enroll(b"face:guest-1:1", code, token).status_code == 201  # type: ignore[attr-defined]
    assert enroll(b"face:guest-1:1", code, token).json()["code"] == "form_token_used"  # type: ignore[attr-defined]
    subject = _subjects(fake_ctx, "guest-1")
    with fake_ctx.services.store.transaction() as tx:
        assert tx.templates.count_for_subject(subject.id) == 1  # type: ignore[attr-defined]
    verify_token = client.get(f"/kiosk/{HOTEL}/form-token", params={"kind": "verify"}).json()["token"]
    ok = client.post(f"/kiosk/{HOTEL}/verify", params={"subject_ref": "guest-1"}, content=b"face:guest-1:2",
                     headers={"x-form-token": verify_token})
    assert ok.json()["is_match"] is True and ok.json()["claim_code"].startswith("FGC-")  # a match proves the ref
    assert client.get(f"/kiosk/{HOTEL}/form-token", params={"kind": "other"}).json()["code"] == "form_kind_invalid"


def _actions(client: TestClient, code: str) -> dict[str, str]:
    html = client.post("/self-service/lookup", data={"receipt_code": code}).text
    forms = re.findall(r'action="/self-service/(\w+)\?lang=zh"[^>]*>\s*<input type="hidden" name="receipt_code" '
                       r'value="[^"]*"><input type="hidden" name="token" value="([^"]+)"', html)
    return dict(forms)


def test_self_service_json_codes_withdrawal_and_replay(client: TestClient) -> None:
    forged = client.post("/self-service/lookup", data={"receipt_code": "FGR-DEADBEEFDEADBEEF"}, headers=JSON)
    assert forged.status_code == 404 and forged.headers["content-type"] == "application/problem+json"
    assert forged.json()["code"] == "receipt_unknown"
    code = _receipt(_consent(client)[1])
    held = client.post("/self-service/lookup", data={"receipt_code": code}, headers=JSON).json()
    assert held["status"] == "active" and held["template_count"] == 0 and "subject_ref" not in held
    tokens = _actions(client, code)
    assert set(tokens) == {"withdraw", "delete", "complaint"}
    asked = client.post("/self-service/withdraw", data={"receipt_code": code, "token": tokens["withdraw"]})
    assert asked.status_code == 200 and "FGD-" not in asked.text and 'name="confirm" value="yes"' in asked.text
    yes = {"receipt_code": code, "token": tokens["withdraw"], "confirm": "yes"}  # the token survived the question
    done = client.post("/self-service/withdraw", data=yes)
    assert done.status_code == 200 and "FGD-" in done.text
    replay = client.post("/self-service/withdraw", data=yes)
    assert replay.status_code == 409 and replay.headers["x-problem-code"] == "form_token_used"
    other = _consent(client, "guest-2")[1]
    stolen = client.post("/self-service/delete", data={"receipt_code": _receipt(other), "token": tokens["delete"],
                                                       "confirm": "yes"})
    assert stolen.headers["x-problem-code"] == "form_token_invalid"  # tokens are bound to their receipt
    assert "withdraw" not in _actions(client, code)  # a withdrawn consent cannot be withdrawn twice


def test_complaints_are_listed_for_the_operator_with_due_dates(client: TestClient, fake_ctx: AppContext,
                                                               clock: FixedClock) -> None:
    code = _receipt(_consent(client)[1])
    tokens = _actions(client, code)
    r = client.post("/self-service/complaint", data={"receipt_code": code, "token": tokens["complaint"],
                                                     "text": "Staff said face was mandatory.", "contact": "138"},
                    headers=JSON)
    assert r.status_code == 201 and r.json()["due_on"] == "2026-03-23"
    assert client.get("/v1/requests").json()["code"] == "key_missing"  # operator data: a key is needed
    device = {"authorization": "Bearer " + create_api_key(fake_ctx.services, "desk", "device", (HOTEL,)).token}
    assert client.get("/v1/requests", params={"deployment_id": HOTEL}, headers=device).status_code == 403
    admin = {"authorization": "Bearer " + create_api_key(fake_ctx.services, "officer", "operator", ("*",)).token}
    (item,) = client.get("/v1/requests", params={"status": "open"}, headers=admin).json()
    assert item["kind"] == "complaint" and item["due_on"] == "2026-03-23" and not item["is_overdue"]
    assert item["subject_ref"] == "guest-1" and item["response_working_days"] == 15
    clock.advance(days=30)
    assert client.get("/v1/requests", headers=admin).json()[0]["is_overdue"] is True
    assert client.get("/v1/requests", params={"status": "bogus"}, headers=admin).status_code == 422


def test_pages_carry_security_headers_and_static_files_are_a_fixed_list(client: TestClient) -> None:
    page = client.get(f"/kiosk/{HOTEL}", params={"lang": "en"})
    assert page.headers["cache-control"] == "no-store" and "camera=(self)" in page.headers["permissions-policy"]
    assert '<html lang="en"' in page.text
    assert client.get("/kiosk-static/kiosk.js").status_code == 200
    assert client.get("/kiosk-static/..%2Fapp.py").status_code == 404
    assert client.get(f"/kiosk/{HOTEL}/notice").status_code == 200


def test_changed_notice_parts_are_shown_to_the_person(client: TestClient, fake_ctx: AppContext) -> None:
    code = _receipt(_consent(client)[1])
    install(fake_ctx, hotel_manifest(retention={"days": 20}))  # M-5.4: a change that keeps the consent
    page = client.post("/self-service/lookup", data={"receipt_code": code}).text
    assert 'id="notice-changed"' in page and "保存多久" in page and 'data-status="active"' in page
    install(fake_ctx, hotel_manifest(retention={"days": 20}, purposes=[
        {"code": "identity_verification", "necessity": {"zh": "核验身份。", "en": "To verify identity."},
         "least_impact": "1:1 only."}]))
    held = client.post("/self-service/lookup", data={"receipt_code": code}, headers=JSON).json()
    assert held["status"] == "stale" and "purposes" in held["notice_changed"]


def test_registration_by_receipt_closes_after_the_kiosk_session(client: TestClient, clock: FixedClock) -> None:
    code = _receipt(_consent(client)[1])
    clock.advance(minutes=31)
    token = client.get(f"/kiosk/{HOTEL}/form-token", params={"kind": "capture"}).json()["token"]
    late = client.post(f"/kiosk/{HOTEL}/enroll", content=b"face:guest-1:1",
                       headers={"x-form-token": token, "x-receipt-code": code})
    assert late.status_code == 409 and late.json()["code"] == "capture_window_closed"
