"""People's requests and complaints are answered (issue 12 item 13, M-16.2).

PIPL Art. 50: 个人信息处理者应当建立便捷的个人行使权利的申请受理和处理机制。拒绝个人行使权利的请求的，应当说明理由。
So an operator answers each request, or refuses it with a reason, by API, CLI and console;
whether it was answered by the working-day due date is kept; and the person sees the
answer with their receipt in self-service.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from facegate.adapters.calendar_cn import ChineseWorkdayCalendar
from facegate.bootstrap import AppContext
from facegate.errors import Conflict, InvalidInput, NotFound
from facegate.services import consent as consent_service
from facegate.services import person, requests
from facegate.services.access import create_api_key
from facegate.testing import FixedClock
from facegate.web.app import create_app
from tests.browser.kiosk_setup import HOTEL, PURPOSE, hotel_manifest, install

DEPS = person.PersonDeps(ChineseWorkdayCalendar())
JSON = {"accept": "application/json"}


@pytest.fixture
def ctx(fake_ctx: AppContext) -> AppContext:
    install(fake_ctx, hotel_manifest())
    return fake_ctx


def _complaint(ctx: AppContext, ref: str = "guest-1") -> tuple[str, person.PersonRequest]:
    with ctx.services.store.transaction() as tx:
        version = tx.deployments.get(HOTEL).notice_version  # type: ignore[union-attr]
    receipt = consent_service.give_consent(ctx.services, consent_service.ConsentRequest(
        HOTEL, ref, PURPOSE, version, channel="test", birth_date=date(1990, 1, 1))).receipt_code
    req = person.lodge_complaint(ctx.services, DEPS, receipt, "Staff told me face was mandatory.", "138")
    return receipt, req


def test_the_answer_reaches_the_person_and_its_timeliness_is_kept(ctx: AppContext) -> None:
    receipt, req = _complaint(ctx)
    done = requests.answer_request(ctx.services, DEPS, req.id, outcome="answered", actor="officer",
                                   text="We apologise; staff were retrained and the card option is on every desk.")
    assert done.status == "answered" and done.detail["on_time"] is True and done.subject_ref is None
    (seen,) = person.lookup(ctx.services, DEPS, receipt).requests
    assert seen.status == "answered" and "staff were retrained" in str(seen.detail["answer"])
    with ctx.services.store.transaction(readonly=True) as tx:
        kinds = [(e.event.kind, e.event.detail.get("outcome")) for e in tx.record.events()]
    assert ("request_answered", "answered") in kinds
    with pytest.raises(Conflict) as twice:
        requests.answer_request(ctx.services, DEPS, req.id, outcome="answered", text="Again.", actor="officer")
    assert twice.value.code == "request_closed"


def test_a_refusal_needs_its_reason_and_tells_the_person_where_to_turn(ctx: AppContext) -> None:
    receipt, req = _complaint(ctx)
    for empty in ("", "   "):
        with pytest.raises(InvalidInput) as caught:
            requests.answer_request(ctx.services, DEPS, req.id, outcome="refused", text=empty, actor="officer")
        assert caught.value.code == "request_answer_invalid" and caught.value.article_id == "M-16.2"
    done = requests.answer_request(ctx.services, DEPS, req.id, outcome="refused", actor="officer",
                                   text="The desk video shows the card option was offered first.")
    assert done.status == "refused" and "人民法院" in str(done.detail["refusal_note_zh"])
    (seen,) = person.lookup(ctx.services, DEPS, receipt).requests
    assert seen.status == "refused" and "card option was offered" in str(seen.detail["answer"])
    with pytest.raises(NotFound):
        requests.answer_request(ctx.services, DEPS, "no-such-request", outcome="answered", text="x", actor="o")


def test_a_late_answer_is_recorded_as_late(ctx: AppContext, clock: FixedClock) -> None:
    _, req = _complaint(ctx)
    clock.advance(days=40)  # well past 15 working days
    done = requests.answer_request(ctx.services, DEPS, req.id, outcome="answered", text="Sorry for the delay.",
                                   actor="officer")
    assert done.detail["on_time"] is False and done.due_on < clock.now().date()


def test_operators_answer_by_api_and_the_person_sees_it_in_self_service(ctx: AppContext) -> None:
    receipt, req = _complaint(ctx)
    operator = {"authorization": "Bearer " + create_api_key(ctx.services, "desk-lead", "operator", (HOTEL,)).token}
    device = {"authorization": "Bearer " + create_api_key(ctx.services, "door", "device", (HOTEL,)).token}
    other = {"authorization": "Bearer " + create_api_key(ctx.services, "elsewhere", "operator", ("other-site",)).token}
    body = {"outcome": "answered", "text": "We have corrected the desk script; face is optional."}
    with TestClient(create_app(ctx)) as c:
        assert c.post(f"/v1/requests/{req.id}/answer", json=body, headers=device).status_code == 403
        assert c.post(f"/v1/requests/{req.id}/answer", json=body, headers=other).status_code == 403
        bad = c.post(f"/v1/requests/{req.id}/answer", json={"outcome": "refused", "text": ""}, headers=operator)
        assert bad.status_code == 422
        r = c.post(f"/v1/requests/{req.id}/answer", json=body, headers=operator)
        assert r.status_code == 200 and r.json()["status"] == "answered" and r.json()["on_time"] is True
        listed = c.get("/v1/requests", params={"status": "answered", "deployment_id": HOTEL}, headers=operator)
        assert listed.json()[0]["id"] == req.id
        held = c.post("/self-service/lookup", data={"receipt_code": receipt}, headers=JSON).json()
        assert held["requests"][0]["status"] == "answered"
        assert held["requests"][0]["answer"] == body["text"]
        page = c.post("/self-service/lookup", data={"receipt_code": receipt}, params={"lang": "en"}).text
        assert "face is optional" in page and 'data-status="answered"' in page


def test_officers_answer_in_the_console(ctx: AppContext) -> None:
    receipt, req = _complaint(ctx)
    admin = {"authorization": "Bearer " + create_api_key(ctx.services, "officer", "admin", ("*",)).token}
    with TestClient(create_app(ctx), headers=admin) as c:
        page = c.get("/console/requests", params={"lang": "en"}).text
        assert f'action="/console/requests/{req.id}/answer"' in page and "face was mandatory" in page
        r = c.post(f"/console/requests/{req.id}/answer", data={"outcome": "refused", "text": ""},
                   follow_redirects=False)
        assert r.status_code == 422 and "request_answer_invalid" in r.text
        r = c.post(f"/console/requests/{req.id}/answer", follow_redirects=False,
                   data={"outcome": "refused", "text": "Our records show the card option was offered first."})
        assert r.status_code == 303
        page = c.get("/console/requests", params={"lang": "en"}).text
        assert 'data-status="refused"' in page and "card option was offered" in page
    assert person.lookup(ctx.services, DEPS, receipt).requests[0].status == "refused"


def test_the_cli_lists_and_answers(ctx: AppContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from facegate.cli import context as cli_context
    from facegate.cli.main import app

    receipt, req = _complaint(ctx)
    monkeypatch.setenv("FACEGATE_DATA_DIR", str(ctx.settings.data_dir))
    monkeypatch.setenv("FACEGATE_DATABASE_URL", ctx.settings.db_url)
    monkeypatch.setenv("FACEGATE_ENV", "test")
    cli_context.local_context.cache_clear()
    try:
        listed = CliRunner().invoke(app, ["requests", "list", "--status", "open"])
        assert listed.exit_code == 0 and req.id in listed.output and "complaint" in listed.output
        refused = CliRunner().invoke(app, ["requests", "answer", req.id, "--refuse", "--text", " "])
        assert refused.exit_code == 2 and "request_answer_invalid" in refused.output
        done = CliRunner().invoke(app, ["requests", "answer", req.id, "--text", "Fixed at the desk.", "--json"])
        assert done.exit_code == 0 and '"status": "answered"' in done.output
    finally:
        cli_context.local_context.cache_clear()
    assert person.lookup(ctx.services, DEPS, receipt).requests[0].detail["answer"] == "Fixed at the desk."
