"""An operator key scoped to one deployment signs in to the console and sees only its own (M-14.3).

Scope and permission are checked per page and per deployment: nothing of another
deployment leaks, neither its name nor its counts on the overview, nor its processor.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from facegate.services import consent
from facegate.services.access import create_api_key
from facegate.services.deployments import get_deployment
from facegate.services.workbench import figures
from facegate.web.console.wiring import workbench_deps
from tests.browser.console_server import (
    HOTEL, HOTEL_PROCESSOR, METRO, METRO_PROCESSOR, Live, fixed_clock, live_console, store_people, workbench_ctx,
)
from tests.browser.test_console_signoff import sign_in

pytestmark = [pytest.mark.browser]

METRO_PEOPLE = 7_321  # a count only the metro's figures contain


@pytest.fixture
def console(tmp_path: Path) -> Iterator[Live]:
    clock = fixed_clock("2025-09-26")
    ctx = workbench_ctx(tmp_path, clock, "hotel-front-desk-check-in", "metro-station-signed")
    store_people(ctx, METRO_PROCESSOR, METRO, METRO_PEOPLE, at=clock.now())
    store_people(ctx, HOTEL_PROCESSOR, HOTEL, 12, at=clock.now())
    notice = get_deployment(ctx.services, HOTEL).notice_version
    consent.give_consent(ctx.services, consent.ConsentRequest(HOTEL, "guest-1", "check_in", notice,
                                                                 age_attested_by="desk"))
    figures.record_incident(ctx.services, workbench_deps(ctx), METRO, summary="Camera cable cut at lane B2")
    with live_console(ctx, clock) as live:
        yield live
    ctx.close()


def _text(page: Any) -> str:
    return str(page.locator("body").inner_text())


def test_a_scoped_operator_signs_in_and_sees_only_its_deployment(console: Live, page: Any) -> None:
    key = create_api_key(console.ctx.services, "hotel-desk", "operator", (HOTEL,))
    sign_in(page, console.url, key.token)  # lands on /console instead of a forbidden_scope error
    body = _text(page)
    assert HOTEL in body and METRO not in body
    for leak in ("深圳市轨道交通", "Shenzhen Metro", METRO_PROCESSOR, f"{METRO_PEOPLE:,}", str(METRO_PEOPLE)):
        assert leak not in body, leak
    assert page.locator("[data-testid=chain-card]").count() == 0  # the record spans every deployment

    for path in ("/console/assessments", "/console/filing", "/console/records", "/console/requests",
                 "/console/people", "/console/?demo=1", f"/console?processor={METRO_PROCESSOR}"):
        response = page.goto(console.url + path + ("&" if "?" in path else "?") + "lang=en")
        assert response is not None and response.status == 200, path
        body = _text(page)
        for leak in (METRO, "Shenzhen Metro", METRO_PROCESSOR, f"{METRO_PEOPLE:,}", "Camera cable cut"):
            assert leak not in body, (path, leak)

    response = page.goto(f"{console.url}/console/deployments/{METRO}?lang=en")
    assert response is not None and response.status == 403
    assert page.locator("[data-code=forbidden_scope]").count() == 1 and "M-14.3" in _text(page)
    response = page.goto(f"{console.url}/console/deployments/{HOTEL}?lang=en")
    assert response is not None and response.status == 200

    # Writing is still the admin's: an operator may read its deployment, not apply or sign off there.
    response = page.request.post(f"{console.url}/console/deployments/{HOTEL}/assessments", form={"reviewer": "x"})
    assert response.status == 403


def test_a_key_without_a_console_role_is_still_refused(console: Live, page: Any) -> None:
    key = create_api_key(console.ctx.services, "door", "device", (HOTEL,))
    page.goto(f"{console.url}/console/login")
    page.fill("#api_key", key.token)
    page.click("#login")
    assert page.locator("[data-code=forbidden_role]").count() == 1
