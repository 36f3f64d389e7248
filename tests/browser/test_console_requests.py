"""Issue 16 item 10: a person complains in self-service, the officer answers in the console, the person reads it.

A refusal needs its reason (PIPL Art. 50, M-16.2); the answer and who gave it go into the
record; an auditor may read requests but not answer them (M-14.3).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from facegate.services import consent
from facegate.services.access import create_api_key
from facegate.services.deployments import get_deployment
from tests.browser.console_server import HOTEL, serve_app
from tests.browser.console_site import PURPOSE, Site, hotel_site
from tests.browser.test_console_signoff import sign_in

pytestmark = [pytest.mark.browser]


@pytest.fixture
def site(tmp_path: Path, real_engine: Any, face_images: dict[str, bytes]) -> Iterator[tuple[Site, str, str]]:
    from facegate.web.app import create_app

    s = hotel_site(tmp_path, real_engine, face_images)
    notice = get_deployment(s.ctx.services, HOTEL).notice_version
    code = consent.give_consent(s.ctx.services, consent.ConsentRequest(HOTEL, "guest-5", PURPOSE, notice,
                                                                        age_attested_by="desk")).receipt_code
    with serve_app(create_app(s.ctx)) as url:
        yield s, url, code
    s.ctx.close()


def test_a_complaint_is_answered_in_the_console_and_read_in_self_service(site: tuple[Site, str, str],
                                                                         browser: Any) -> None:
    s, url, code = site
    person = browser.new_context(locale="en-US").new_page()
    person.goto(f"{url}/self-service?lang=en")
    person.fill("#receipt_code", code)
    person.click("#look-up")
    person.fill("#complaint_text", "The desk said face recognition was mandatory.")
    person.click("#send-complaint")

    auditor = browser.new_context().new_page()
    sign_in(auditor, url, create_api_key(s.ctx.services, "auditor", "auditor", ("*",)).token)
    auditor.goto(f"{url}/console/requests?lang=en")
    assert "mandatory" in auditor.locator("[data-testid=requests]").inner_text()
    request_id = auditor.locator("tr[data-request]").first.get_attribute("data-request")
    r = auditor.request.post(f"{url}/console/requests/{request_id}/answer", form={"outcome": "answered", "text": "x"})
    assert r.status == 403  # auditors read, admins answer

    officer = browser.new_context().new_page()
    admin = create_api_key(s.ctx.services, "dpo", "admin", ("*",))
    sign_in(officer, url, admin.token)
    officer.goto(f"{url}/console/requests?lang=en")
    row = officer.locator(f"tr[data-request='{request_id}']")
    row.locator("textarea").fill("Staff were reminded that the staff check is always offered.")
    row.locator("button[value=answered]").click()
    officer.wait_for_url(f"{url}/console/requests")
    assert officer.locator(f"tr[data-request='{request_id}'] [data-status]").get_attribute("data-status") == "answered"
    with s.ctx.services.store.transaction(readonly=True) as tx:
        answered = [e.event for e in tx.record.events() if e.event.kind == "request_answered"]
    assert answered and answered[-1].actor == admin.key.key_id

    person.goto(f"{url}/self-service?lang=en")
    person.fill("#receipt_code", code)
    person.click("#look-up")
    assert "staff check is always offered" in person.locator("#requests").inner_text()
