"""Self-service answers every POST with a redirect (POST-redirect-GET), like the kiosk.

Back and refresh never send the receipt code or an erasure again, and the code never
reaches a URL (nor, so, an access log): it travels in the form body and then in a sealed,
short-lived cookie (M-6.3, PIPL Art. 47).
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import Live
from tests.browser.test_selfservice import _consent

pytestmark = pytest.mark.browser


def _events(live: Live, kind: str) -> int:
    with live.ctx.services.store.transaction(readonly=True) as tx:
        return sum(1 for e in tx.record.events() if e.event.kind == kind)


def test_results_are_pages_of_their_own_and_nothing_is_sent_twice(live: Live, page: Any) -> None:
    code = _consent(page, live.url, "guest-77")
    urls: list[str] = []
    posts: list[str] = []
    page.on("request", lambda r: (urls.append(r.url), r.method == "POST" and posts.append(r.url)))

    page.goto(f"{live.url}/self-service?lang=en")
    page.fill("#receipt_code", code)
    page.click("#look-up")
    page.wait_for_url(f"{live.url}/self-service/held**")
    assert page.locator("#held").get_attribute("data-status") == "active"
    page.reload()  # a GET: shows the same, sends nothing
    assert page.locator("#held").get_attribute("data-status") == "active"
    assert len(posts) == 1

    page.click("#withdraw")
    page.click("#confirm-withdraw")
    page.wait_for_url(f"{live.url}/self-service/done**")
    receipt = page.locator("#deletion-receipt").inner_text()
    assert receipt.startswith("FGD-") and _events(live, "consent_withdrawn") == 1
    sent = len(posts)
    page.reload()  # the receipt was shown once; refreshing re-sends nothing and lands on what is held
    page.go_back()
    assert len(posts) == sent and _events(live, "consent_withdrawn") == 1
    page.goto(f"{live.url}/self-service/held?lang=en")
    assert page.locator("#held").get_attribute("data-status") == "withdrawn"

    page.fill("#complaint_text", "Why was my face kept for 30 days?")
    page.click("#send-complaint")
    page.wait_for_url(f"{live.url}/self-service/complaint**")
    assert page.locator("#due-on").inner_text()
    page.reload()
    page.go_back()
    with live.ctx.services.store.transaction(readonly=True) as tx:
        assert sum(1 for r in tx.person.list_requests() if r.kind == "complaint") == 1

    assert not any(code in u or code.lower() in u for u in urls)  # never in a URL, so never in a log
    cookie = next(c for c in page.context.cookies() if c["name"] == "fg_self")
    assert code not in cookie["value"] and cookie["httpOnly"] and cookie["path"] == "/self-service"


def test_without_a_looked_up_receipt_the_result_pages_send_you_to_the_start(live: Live, page: Any) -> None:
    for path in ("/self-service/held", "/self-service/done", "/self-service/complaint"):
        page.goto(f"{live.url}{path}?lang=en")
        assert page.url.startswith(f"{live.url}/self-service"), path
        assert page.locator("#receipt_code").count() == 1, path


def test_a_wrong_code_is_answered_by_a_redirect_and_shown_once(live: Live, page: Any) -> None:
    posts: list[str] = []
    page.on("request", lambda r: r.method == "POST" and posts.append(r.url))
    page.goto(f"{live.url}/self-service?lang=en")
    page.fill("#receipt_code", "FGR-0000000000000000")
    page.click("#look-up")
    page.wait_for_url(f"{live.url}/self-service?lang=en")
    assert page.locator("#error").get_attribute("data-code") == "receipt_unknown"
    page.reload()  # the guess is not sent again, and the error was said once
    assert page.locator("#error").count() == 0 and len(posts) == 1
