"""Issue 16 item 10: a clerk finds a person by reference (metadata only) and lifts a lock with a reason.

Each step is authorised by role and scope (M-14.3) and recorded (M-14.2, M-9.3). The
screenshot console-subject-search is the README's (docs/screenshots/, FACEGATE_UPDATE_SCREENSHOTS=1).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from facegate.services import faces
from facegate.services.access import create_api_key
from tests.browser.console_server import HOTEL, screenshot, serve_app
from tests.browser.console_site import PURPOSE, Site, hotel_site
from tests.browser.test_console_signoff import sign_in

pytestmark = [pytest.mark.browser]


@pytest.fixture
def site(tmp_path: Path, real_engine: Any, face_images: dict[str, bytes]) -> Iterator[tuple[Site, str]]:
    from facegate.web.app import create_app

    s = hotel_site(tmp_path, real_engine, face_images)
    for _ in range(5):  # an impostor tries guest-1's reference with another face: the face path locks (M-14.5)
        assert faces.verify(s.ctx.services, HOTEL, "guest-1", PURPOSE, face_images["biden.jpg"]).is_match is False
    with serve_app(create_app(s.ctx)) as url:
        yield s, url
    s.ctx.close()


def _events(s: Site, kind: str) -> list[Any]:
    with s.ctx.services.store.transaction(readonly=True) as tx:
        return [e.event for e in tx.record.events() if e.event.kind == kind]


def _find(page: Any, ref: str) -> None:
    page.select_option("#p-deployment", HOTEL)
    page.fill("#p-ref", ref)
    page.click("#find")


def test_clerk_finds_a_person_and_lifts_the_lock_with_a_reason(site: tuple[Site, str], page: Any) -> None:
    s, url = site
    clerk = create_api_key(s.ctx.services, "desk-clerk", "operator", ("*",))
    sign_in(page, url, clerk.token)
    page.goto(f"{url}/console/people?lang=en")
    _find(page, "guest-1")
    consents = page.locator("[data-testid=person-consents]").inner_text()
    assert "check_in" not in consents and "the person" in consents  # words, not raw codes (item 11)
    assert page.locator("[data-testid=person-templates] tr").count() == 2  # header + one template
    assert page.locator("[data-testid=person-lock]").get_attribute("data-locked") == "1"
    assert page.locator("main img").count() == 0  # never a face
    assert "guest-1" not in page.url  # the reference stays out of URLs and logs
    screenshot(page, "console-subject-search")
    looked = _events(s, "subject_looked_up")
    assert looked and looked[-1].actor == clerk.key.key_id and looked[-1].subject_ref != "guest-1"

    page.fill("#lift-reason", "Guest showed an ID card at the desk")
    page.click("#lift")
    assert "Guest showed an ID card" in page.locator("[data-testid=confirm-what]").inner_text()
    assert page.locator("#confirm").count() == 1 and not _events(s, "subject_lock_lifted")  # asks first
    page.click("#confirm")
    assert page.locator("[data-code=lock_lifted]").count() == 1
    assert page.locator("[data-testid=person-lock]").get_attribute("data-locked") == "0"
    lifted = _events(s, "subject_lock_lifted")
    assert lifted[-1].actor == clerk.key.key_id and lifted[-1].detail["reason"] == "Guest showed an ID card at the desk"

    _find(page, "nobody-here")
    assert page.locator("[data-code=subject_unknown]").count() == 1


def test_an_auditor_reads_but_may_not_lift(site: tuple[Site, str], page: Any) -> None:
    s, url = site
    sign_in(page, url, create_api_key(s.ctx.services, "auditor", "auditor", ("*",)).token)
    page.goto(f"{url}/console/people?lang=en")
    _find(page, "guest-1")
    assert page.locator("[data-testid=person-lock]").get_attribute("data-locked") == "1"
    assert page.locator("[data-testid=lift-form]").count() == 0 and "needs lock_lift" in page.content()
    r = page.request.post(f"{url}/console/people/lift", form={"deployment_id": HOTEL, "subject_ref": "guest-1",
                                                               "reason": "because", "confirm": "yes"})
    assert r.status == 403 and "forbidden_role" in r.text()
    # A key scoped to another deployment is refused this one (API clients send the key as a header).
    other = create_api_key(s.ctx.services, "spa-clerk", "operator", ("somewhere-else",)).token
    out = page.request.post(f"{url}/console/people", form={"deployment_id": HOTEL, "subject_ref": "guest-1"},
                            headers={"Authorization": f"Bearer {other}"})
    assert out.status == 403 and "forbidden_scope" in out.text()
