"""Consent bound to the notice, age everywhere, statutes: through the Python API and HTTP on real stores.

SQLite and PostgreSQL (``database_url``) run the same migrations; the example hotel
manifest is applied as a processor would, then changed field by field.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from facegate.bootstrap import AppContext, build_context
from facegate.errors import InvalidInput
from facegate.services import consent, faces
from facegate.services.access import create_api_key
from facegate.services.consent import ConsentRequest
from facegate.testing import FakeFaceEngine, FixedClock
from facegate.web.app import create_app
from tests.browser.kiosk_setup import HOTEL, PURPOSE, hotel_manifest, install
from tests.conftest import make_settings
from tests.integration.test_person_http import pair

FACE = b"face:guest-1:1"


@pytest.fixture
def ctx(tmp_path: Path, database_url: str, clock: FixedClock) -> Iterator[AppContext]:
    c = build_context(make_settings(tmp_path, database_url), clock=clock, engine=FakeFaceEngine())
    install(c, hotel_manifest())
    yield c
    c.close()


def _notice(ctx: AppContext) -> str:
    with ctx.services.store.transaction(readonly=True) as tx:
        d = tx.deployments.get(HOTEL)
        assert d is not None
        return d.notice_version


def _give(ctx: AppContext, ref: str = "guest-1", **kw: Any) -> consent.ConsentReceipt:
    return consent.give_consent(ctx.services, ConsentRequest(HOTEL, ref, PURPOSE, _notice(ctx), **kw))


def _reapply(ctx: AppContext, **changes: Any) -> None:
    install(ctx, hotel_manifest(**changes))


def test_age_is_established_through_the_python_api(ctx: AppContext) -> None:
    """The reported bug: via the API a child with no date of birth counted as an adult (M-7.1)."""
    with pytest.raises(InvalidInput) as no_age:
        _give(ctx)
    assert no_age.value.code == "age_not_established" and no_age.value.article_id == "M-7.1"
    with pytest.raises(InvalidInput) as child:
        _give(ctx, birth_date=date(2015, 6, 1))
    assert child.value.code == "minors_not_allowed"
    assert not faces.enroll(ctx.services, HOTEL, "guest-1", PURPOSE, FACE).decision.allowed
    receipt = _give(ctx, age_attested_by="desk-3 checked ID card")
    with ctx.services.store.transaction(readonly=True) as tx:
        subject = tx.subjects.get("91330106MA2H3K7L5P", "guest-1")
        assert subject is not None
        kept = tx.consents.for_subject(subject.id)
    assert [c.id for c in kept] == [receipt.consent_id]
    assert kept[0].age_basis is not None and kept[0].age_attested_by == "desk-3 checked ID card"
    assert faces.enroll(ctx.services, HOTEL, "guest-1", PURPOSE, FACE).decision.allowed


def test_an_attestation_cannot_overrule_a_recorded_birth_date(ctx: AppContext) -> None:
    kids = hotel_manifest(minors={"under_14_allowed": True, "guardian_consent": True, "special_rules": {
        k: {"zh": "只在本机保存。", "en": "Kept on this terminal only."} for k in ("storage", "use", "transfer", "disclosure")}})
    install(ctx, kids)
    _give(ctx, actor=consent.ConsentActor.GUARDIAN, birth_date=date(2018, 1, 1), guardian_ref="mum-1",
          guardian_relationship="parent")
    with pytest.raises(InvalidInput) as exc:
        _give(ctx, age_attested_by="the child said so")
    assert exc.value.code == "guardian_consent_missing"


def test_material_changes_stop_the_next_operation_until_fresh_consent(ctx: AppContext) -> None:
    _give(ctx, age_attested_by="desk-3")
    assert faces.enroll(ctx.services, HOTEL, "guest-1", PURPOSE, FACE).decision.allowed
    assert faces.verify(ctx.services, HOTEL, "guest-1", PURPOSE, FACE).is_match
    # Art. 8: storage moves off the device; the manifest's flag is not the person's consent.
    _reapply(ctx, storage={"locality": "central", "separate_consent_obtained": True})
    stale = faces.verify(ctx.services, HOTEL, "guest-1", PURPOSE, FACE).decision
    assert stale.codes == ("consent_stale",) and stale.reasons[0].article_id == "M-8.2"
    with pytest.raises(InvalidInput) as exc:
        _give(ctx, age_attested_by="desk-3")
    assert exc.value.code == "transmission_consent_missing" and exc.value.article_id == "M-8.2"
    _give(ctx, age_attested_by="desk-3", separate_consents=("internet_transmission",))
    assert faces.verify(ctx.services, HOTEL, "guest-1", PURPOSE, FACE).is_match
    # NDSR Art. 22: a longer retention than the person agreed to.
    _reapply(ctx, storage={"locality": "central", "separate_consent_obtained": True}, retention={"days": 60})
    longer = faces.verify(ctx.services, HOTEL, "guest-1", PURPOSE, FACE).decision
    assert longer.codes == ("consent_stale",) and longer.reasons[0].article_id == "N-22.1"


def test_other_changes_reach_the_person_at_the_next_verify(ctx: AppContext, clock: FixedClock) -> None:
    _give(ctx, age_attested_by="desk-3")
    faces.enroll(ctx.services, HOTEL, "guest-1", PURPOSE, FACE)
    assert faces.verify(ctx.services, HOTEL, "guest-1", PURPOSE, FACE).notice_changes == ()
    _reapply(ctx, processor={"contact": "0571-8796 2211, privacy@yunqi-hotel.example.cn"})
    told = faces.verify(ctx.services, HOTEL, "guest-1", PURPOSE, FACE)
    assert told.is_match and told.notice_changes == ("processor",)
    admin = create_api_key(ctx.services, "t", "admin", ("*",))
    with TestClient(create_app(ctx), headers={"Authorization": f"Bearer {admin.token}"}) as client:
        r = client.post(f"/v1/deployments/{HOTEL}/verify", params={"purpose": PURPOSE, "subject_ref": "guest-1"},
                        content=FACE)
        assert r.status_code == 200, r.text
        assert r.json()["notice_changed"]["sections"] == ["processor"]
        # Over HTTP the age is required as well, and a separate consent is its own field.
        body = {"deployment_id": HOTEL, "subject_ref": "guest-2", "purpose": PURPOSE, "notice_version": _notice(ctx)}
        refused = client.post("/v1/consents", json=body)
        assert refused.status_code == 422 and refused.json()["code"] == "age_not_established"
        assert refused.json()["article_id"] == "M-7.1"
        ok = client.post("/v1/consents", json={**body, "age_attested_by": "desk-3"})
        assert ok.status_code == 201, ok.text


def test_the_kiosk_asks_separately_for_transmission_and_records_notices_on_a_statute(fake_ctx: AppContext) -> None:
    """Art. 8 consent is its own unticked box; on a statute the kiosk records the notice, not a consent."""
    law = {"type": "statute", "statute": {"name": "中华人民共和国反恐怖主义法", "article": "第三十二条",
                                          "reviewed_by": "法务部", "reviewed_on": "2025-06-20"}}
    install(fake_ctx, hotel_manifest(storage={"locality": "central", "separate_consent_obtained": True}))
    install(fake_ctx, hotel_manifest(id="westlake-hotel-law", legal_basis=law,
                                     notice={"how_to_exercise_rights": {"zh": "到前台查询。", "en": "Ask at the desk."}}))
    with TestClient(create_app(fake_ctx)) as c:
        pair(c, fake_ctx, HOTEL, "westlake-hotel-law")

        def post(deployment: str, ref: str = "guest-1", **fields: str) -> Any:
            html = c.get(f"/kiosk/{deployment}/consent").text
            form = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', html))
            form.update({"subject_ref": ref, "birth_date": "1990-01-01", "face_consent": "yes", **fields})
            return html, c.post(f"/kiosk/{deployment}/consent", data=form)

        html, without = post(HOTEL)
        assert 'name="separate" value="internet_transmission"' in html
        assert 'value="internet_transmission" checked' not in html  # never pre-ticked (M-6.1)
        assert without.status_code == 422 and "transmission_consent_missing" in without.text
        _, given = post(HOTEL, separate="internet_transmission")
        assert given.status_code == 200, given.text
        html, told = post("westlake-hotel-law", "guest-2")
        notice_page = c.get("/kiosk/westlake-hotel-law").text
        assert "撤回同意" not in notice_page.split('id="notice"')[1].split("</section>")[0]
        assert told.status_code == 200 and "已记录向您告知" in told.text and "撤回同意" not in told.text
    with fake_ctx.services.store.transaction(readonly=True) as tx:
        d = tx.deployments.get("westlake-hotel-law")
        assert d is not None
        kinds = set()
        for ref in ("guest-1", "guest-2"):
            subject = tx.subjects.get(d.processor_id, ref)
            assert subject is not None
            kinds |= {(c.deployment_id, c.kind.value) for c in tx.consents.for_subject(subject.id)}
    assert kinds == {(HOTEL, "consent"), ("westlake-hotel-law", "notice")}
