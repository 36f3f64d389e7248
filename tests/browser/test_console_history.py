"""Issue 16 item 10: browse and filter the processing record; diff manifest versions and apply a new one.

Each by role (M-14.3): auditors read the record but apply nothing, clerks (operators)
do not browse the record, admins apply versions, which the record keeps (M-9.3).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from facegate.services.access import create_api_key
from facegate.services.deployments import deployment_versions
from tests.browser.console_server import HOTEL, ROOT, screenshot, serve_app
from tests.browser.console_site import Site, hotel_site
from tests.browser.test_console_signoff import sign_in

pytestmark = [pytest.mark.browser]
YAML = (ROOT / "examples" / "hotel-front-desk-check-in.yaml").read_text(encoding="utf-8")


@pytest.fixture
def site(tmp_path: Path, real_engine: Any, face_images: dict[str, bytes]) -> Iterator[tuple[Site, str]]:
    from facegate.web.app import create_app

    s = hotel_site(tmp_path, real_engine, face_images)
    with serve_app(create_app(s.ctx)) as url:
        yield s, url
    s.ctx.close()


def test_officer_filters_the_record_and_applies_a_version_with_its_diff(site: tuple[Site, str], page: Any) -> None:
    s, url = site
    admin = create_api_key(s.ctx.services, "chief", "admin", ("*",))
    sign_in(page, url, admin.token)
    page.goto(f"{url}/console/record?lang=en")
    everything = int(page.locator("[data-total]").get_attribute("data-total") or 0)
    page.select_option("#r-kind", "enroll")
    page.select_option("#r-outcome", "refused")
    page.click("[data-testid=record-filters] button")
    rows = page.locator("[data-testid=record] tr[data-kind]")
    assert rows.count() == 4 < everything  # the four photo problems, nothing else
    assert set(rows.evaluate_all("rs => rs.map(r => r.dataset.kind)")) == {"enroll"}
    assert "several faces" in page.locator("[data-testid=record]").inner_text()
    screenshot(page, "console-record-filtered")

    page.goto(f"{url}/console/deployments/{HOTEL}/versions?lang=en")
    assert page.locator("[data-testid=versions] tr[data-version]").count() == 1
    page.fill("#manifest", YAML.replace("id: westlake-hotel-front-desk", "id: someone-else"))
    page.click("#apply")
    assert page.locator("[data-code=manifest_id_mismatch]").count() == 1
    page.fill("#manifest", "id: westlake-hotel-front-desk\nname: [unclosed")
    page.click("#apply")
    assert page.locator("[data-code=manifest_invalid]").count() == 1
    page.fill("#manifest", YAML.replace("days: 30", "days: 14", 1))
    page.click("#apply")
    page.wait_for_url(f"**/console/deployments/{HOTEL}/versions")
    assert page.locator("[data-testid=versions] tr[data-version]").count() == 2
    diff = page.locator("[data-testid=diff] tr[data-field='retention.days']").inner_text()
    assert "30" in diff and "14" in diff
    assert deployment_versions(s.ctx.services, HOTEL)[-1]["applied_by"] == admin.key.key_id
    screenshot(page, "console-versions-diff")


def test_roles_decide_who_browses_and_who_applies(site: tuple[Site, str], browser: Any) -> None:
    s, url = site
    for role, may_browse in (("auditor", True), ("operator", False)):
        context = browser.new_context()
        page = context.new_page()
        sign_in(page, url, create_api_key(s.ctx.services, role, role, ("*",)).token)
        assert (page.goto(f"{url}/console/record").status == 200) is may_browse
        page.goto(f"{url}/console/deployments/{HOTEL}/versions")
        assert page.locator("[data-testid=apply]").count() == 0
        r = page.request.post(f"{url}/console/deployments/{HOTEL}/versions", form={"manifest": YAML})
        assert r.status == 403 and len(deployment_versions(s.ctx.services, HOTEL)) == 1
        context.close()
