"""Issue 16 item 8 in the console: sign-off asks first, is recorded under the signed-in key, never on an old version."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from facegate.services.access import create_api_key
from facegate.services.workbench import assessment
from facegate.web.console.wiring import workbench_deps
from tests.browser.console_server import HOTEL, apply, example, screenshot, serve_app
from tests.browser.console_site import Site, hotel_site

pytestmark = [pytest.mark.browser]


@pytest.fixture
def site(tmp_path: Path, real_engine: Any, face_images: dict[str, bytes]) -> Iterator[tuple[Site, str]]:
    from facegate.web.app import create_app

    s = hotel_site(tmp_path, real_engine, face_images)
    deps = workbench_deps(s.ctx)
    assessment.generate(s.ctx.services, deps, HOTEL)  # v1, named reviewer from the manifest
    s.clock.advance(days=1)
    apply(s.ctx, example("hotel-front-desk-check-in", **{"retention.days": 14}))
    assert assessment.generate(s.ctx.services, deps, HOTEL).version == 2
    with serve_app(create_app(s.ctx)) as url:
        yield s, url
    s.ctx.close()


def sign_in(page: Any, url: str, token: str) -> None:
    page.goto(f"{url}/console/login")
    page.fill("#api_key", token)
    page.click("#login")
    page.wait_for_url(f"{url}/console")


def test_sign_off_is_confirmed_and_recorded_under_the_signed_in_key(site: tuple[Site, str], page: Any) -> None:
    s, url = site
    officer = create_api_key(s.ctx.services, "陈静", "admin", ("*",))
    sign_in(page, url, officer.token)
    page.goto(f"{url}/console/deployments/{HOTEL}?lang=en")
    rows = page.locator("[data-testid=assessments] tr")
    assert "superseded by a later version" in rows.nth(2).inner_text()  # v1: no button
    assert page.locator("[data-sign]").count() == 1 and page.locator("[data-sign]").get_attribute("data-sign") == "2"
    # The server refuses an old version whatever the page shows.
    old = page.request.post(f"{url}/console/deployments/{HOTEL}/assessments/1/approve", form={"confirm": "yes"})
    assert old.status == 409 and "assessment_superseded" in old.text()
    api = page.request.post(f"{url}/v1/workbench/deployments/{HOTEL}/assessments/1/approve")
    assert api.status == 409 and api.json()["code"] == "assessment_superseded"

    page.click("[data-sign='2']")
    what = page.locator("[data-testid=confirm-what]").inner_text()
    assert "陈静" in what and "admin" in what and officer.key.key_id in what and "cannot be undone" in what
    assert assessment.get(s.ctx.services, workbench_deps(s.ctx), HOTEL, 2).status == "draft"  # not yet
    screenshot(page, "console-confirm-sign-off")
    page.click("#confirm")
    page.wait_for_url(f"**/console/deployments/{HOTEL}#assessments")
    signed = assessment.get(s.ctx.services, workbench_deps(s.ctx), HOTEL, 2)
    assert signed.status == "approved" and signed.reviewer == "陈静"
    assert signed.document["reviewer"]["key_id"] == officer.key.key_id
    page.goto(f"{url}/v1/workbench/deployments/{HOTEL}/assessments/2/report.html?lang=en")
    assert "陈静" in page.content() and officer.key.key_id in page.content() and "administrator" in page.content()


def test_an_auditor_cannot_sign(site: tuple[Site, str], page: Any) -> None:
    s, url = site
    sign_in(page, url, create_api_key(s.ctx.services, "auditor", "auditor", ("*",)).token)
    r = page.request.post(f"{url}/console/deployments/{HOTEL}/assessments/2/approve", form={"confirm": "yes"})
    assert r.status == 403 and "forbidden_role" in r.text()
    assert assessment.get(s.ctx.services, workbench_deps(s.ctx), HOTEL, 2).status == "draft"
