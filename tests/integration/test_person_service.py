"""services.person on real SQLite and keys: receipts, requests with due dates, form tokens, notice changes."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from facegate.adapters.calendar_cn import ChineseWorkdayCalendar
from facegate.bootstrap import AppContext
from facegate.errors import Conflict, InvalidInput, NotFound
from facegate.services import consent as consent_service
from facegate.services import faces, person
from facegate.testing import FixedClock
from tests.browser.kiosk_setup import HOTEL, PURPOSE, hotel_manifest, install

DEPS = person.PersonDeps(ChineseWorkdayCalendar())


@pytest.fixture
def ctx(fake_ctx: AppContext) -> AppContext:
    install(fake_ctx, hotel_manifest())
    return fake_ctx


def _consent(ctx: AppContext, ref: str = "guest-1") -> str:
    d = ctx.services.store.transaction
    with d() as tx:
        version = tx.deployments.get(HOTEL).notice_version
    receipt = consent_service.give_consent(ctx.services, consent_service.ConsentRequest(
        HOTEL, ref, PURPOSE, version, channel="test", birth_date=date(1990, 1, 1)))
    faces.enroll(ctx.services, HOTEL, ref, PURPOSE, f"face:{ref}:1".encode())
    return receipt.receipt_code


def test_receipt_shows_metadata_only_and_forged_codes_find_nothing(ctx: AppContext) -> None:
    code = _consent(ctx)
    held = person.lookup(ctx.services, DEPS, f"  {code.lower()} ")
    assert held.status == "active" and held.template_count == 1 and held.purpose == PURPOSE
    assert held.templates_expire_at == ctx.services.clock.now() + timedelta(days=30)
    assert "sealed" not in repr(held) and "guest-1" not in repr(held)  # neither template nor reference
    for forged in ("FGR-0000000000000000", "", "x" * 500):
        with pytest.raises(NotFound) as err:
            person.lookup(ctx.services, DEPS, forged)
        assert err.value.code == "receipt_unknown"


def test_withdraw_destroys_templates_once_and_history_stays(ctx: AppContext) -> None:
    code = _consent(ctx)
    out = person.withdraw_by_receipt(ctx.services, DEPS, code)
    assert out.templates_deleted == 1 and out.receipt_code.startswith("FGD-")
    held = person.lookup(ctx.services, DEPS, code)
    assert held.status == "withdrawn" and held.template_count == 0
    assert [r.kind for r in held.requests] == ["withdrawal"]
    with pytest.raises(Conflict) as err:
        person.withdraw_by_receipt(ctx.services, DEPS, code)
    assert err.value.code == "receipt_expired"
    assert person.lookup(ctx.services, DEPS, out.receipt_code).status == "withdrawn"  # the deletion receipt too
    verify = faces.verify(ctx.services, HOTEL, "guest-1", PURPOSE, b"face:guest-1:2")
    assert verify.decision.codes == ("consent_withdrawn",)


def test_deletion_leaves_only_the_request_record(ctx: AppContext) -> None:
    code = _consent(ctx)
    out = person.delete_by_receipt(ctx.services, DEPS, code)
    assert out.key_destroyed and out.templates_deleted == 1
    held = person.lookup(ctx.services, DEPS, code)
    assert held.status == "deleted" and held.template_count == 0 and held.given_at is None
    with pytest.raises(Conflict):
        person.delete_by_receipt(ctx.services, DEPS, code)
    (req,) = person.list_requests(ctx.services, DEPS)
    assert req.kind == "deletion" and req.status == "completed" and req.subject_ref is None


def test_complaint_due_in_15_working_days_on_the_official_calendar(ctx: AppContext) -> None:
    code = _consent(ctx)
    req = person.lodge_complaint(ctx.services, DEPS, code, "The desk insisted on face recognition.", "138")
    assert req.status == "open" and req.subject_ref == "guest-1"
    assert req.due_on == date(2026, 3, 23)  # Monday 2 March 2026 + 15 working days
    assert [r.id for r in person.list_requests(ctx.services, DEPS, "open")] == [req.id]
    with pytest.raises(InvalidInput):
        person.lodge_complaint(ctx.services, DEPS, code, "   ")


def test_due_dates_skip_holidays_and_fall_back_to_weekdays_when_the_calendar_ends() -> None:
    national_day = person.due_date(DEPS, date(2025, 9, 30))
    weekdays_only = person.due_date(person.PersonDeps(), date(2025, 9, 30))
    assert national_day > weekdays_only  # the 1-8 October 2025 holiday pushes the answer later
    beyond = person.due_date(DEPS, date(2099, 12, 1))  # no official table: Mon-Fri, never later than that
    assert beyond == date(2099, 12, 22)
    shorter = person.PersonDeps(ChineseWorkdayCalendar(), 5)
    assert person.due_date(shorter, date(2026, 3, 2)) == date(2026, 3, 9)


def test_form_tokens_are_single_use_bound_and_expire(ctx: AppContext, clock: FixedClock) -> None:
    s = ctx.services
    token = person.issue_form_token(s, DEPS, "consent", HOTEL)
    with pytest.raises(InvalidInput) as wrong:
        person.spend_form_token(s, DEPS, token, "consent", "other-desk")
    assert wrong.value.code == "form_token_invalid"
    person.spend_form_token(s, DEPS, token, "consent", HOTEL)
    with pytest.raises(Conflict) as replay:
        person.spend_form_token(s, DEPS, token, "consent", HOTEL)
    assert replay.value.code == "form_token_used"
    late = person.issue_form_token(s, DEPS, "consent", HOTEL)
    clock.advance(minutes=31)
    with pytest.raises(InvalidInput) as expired:
        person.spend_form_token(s, DEPS, late, "consent", HOTEL)
    assert expired.value.code == "form_token_expired"
    for bad in (None, "", "forged-token"):
        with pytest.raises(InvalidInput):
            person.spend_form_token(s, DEPS, bad, "consent", HOTEL)


def test_notice_changes_are_reported_and_scope_changes_need_new_consent(ctx: AppContext) -> None:
    code = _consent(ctx)
    install(ctx, hotel_manifest(retention={"days": 20}))  # reworded notice, same scope
    held = person.lookup(ctx.services, DEPS, code)
    assert held.status == "active" and held.notice_changed == ("retention",)
    assert faces.verify(ctx.services, HOTEL, "guest-1", PURPOSE, b"face:guest-1:2").decision.allowed
    install(ctx, hotel_manifest(retention={"days": 20}, method={"mode": "1:N", "identify_justification": "PIA 1.3"}))
    stale_held = person.lookup(ctx.services, DEPS, code)
    assert stale_held.status == "stale" and "method" in stale_held.notice_changed
    stale = faces.verify(ctx.services, HOTEL, "guest-1", PURPOSE, b"face:guest-1:2")
    assert stale.decision.codes == ("consent_stale",)  # M-6.4: the gate asks for fresh consent
