"""axe-core finds no serious or critical violation on any console page, nor on self-service's confirmation (issue 16).

Uses the kiosk engineer's helper (tests/browser/a11y.py). The console's CSP forbids all
scripts, so this context bypasses CSP to inject axe; nothing else about the pages changes.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from facegate.services import consent, faces
from facegate.services.access import create_api_key
from facegate.services.deployments import get_deployment
from facegate.services.workbench import assessment
from facegate.web.console.wiring import workbench_deps
from tests.browser.a11y import axe_source, severe_violations
from tests.browser.console_server import HOTEL, serve_app
from tests.browser.console_site import PURPOSE, Site, hotel_site
from tests.browser.test_console_signoff import sign_in

pytestmark = [pytest.mark.browser]


@pytest.fixture
def site(tmp_path: Path, real_engine: Any, face_images: dict[str, bytes]) -> Iterator[tuple[Site, str]]:
    from facegate.web.app import create_app

    s = hotel_site(tmp_path, real_engine, face_images)
    assessment.generate(s.ctx.services, workbench_deps(s.ctx), HOTEL)
    for _ in range(5):
        faces.verify(s.ctx.services, HOTEL, "guest-1", PURPOSE, face_images["biden.jpg"])
    with serve_app(create_app(s.ctx)) as url:
        yield s, url
    s.ctx.close()


def test_no_serious_violations_on_console_pages(site: tuple[Site, str], browser: Any) -> None:
    axe_source()
    s, url = site
    context = browser.new_context(viewport={"width": 1100, "height": 1000}, bypass_csp=True)
    page = context.new_page()
    seen: dict[str, list[dict[str, Any]]] = {}
    page.goto(f"{url}/console/login")
    seen["login"] = severe_violations(page)
    sign_in(page, url, create_api_key(s.ctx.services, "chief", "admin", ("*",)).token)
    for lang in ("zh", "en"):
        for path in ("/console", f"/console/deployments/{HOTEL}", "/console/filing", "/console/assessments",
                     "/console/records", "/console/requests", "/console/people", "/console/record",
                     f"/console/deployments/{HOTEL}/versions", "/console/keys"):
            page.goto(f"{url}{path}?lang={lang}")
            seen[f"{path} {lang}"] = severe_violations(page)
        page.goto(f"{url}/console/people?lang={lang}")
        page.select_option("#p-deployment", HOTEL)
        page.fill("#p-ref", "guest-1")
        page.click("#find")
        seen[f"person found {lang}"] = severe_violations(page)
        page.fill("#lift-reason", "checked the ID card")
        page.click("#lift")
        seen[f"confirm page {lang}"] = severe_violations(page)
    page.goto(f"{url}/console/keys?lang=en")
    page.fill("#k-name", "door-1")
    page.click("#issue")
    seen["key issued"] = severe_violations(page)

    notice = get_deployment(s.ctx.services, HOTEL).notice_version
    code = consent.give_consent(s.ctx.services, consent.ConsentRequest(HOTEL, "guest-9", PURPOSE, notice,
                                                                        age_attested_by="desk")).receipt_code
    for lang in ("zh", "en"):
        page.goto(f"{url}/self-service?lang={lang}")
        page.fill("#receipt_code", code)
        page.click("#look-up")
        page.click("#delete")
        seen[f"self-service confirm {lang}"] = severe_violations(page)
    context.close()
    bad = {where: v for where, v in seen.items() if v}
    assert not bad, bad
