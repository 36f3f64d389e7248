"""The officer's console in Chromium against a live server: every page, charts, the PIA, the sign, the banner.

Screenshots go to test-artifacts/screenshots/console-*.png (and docs/screenshots/ with
FACEGATE_UPDATE_SCREENSHOTS=1). Without Chromium the tests skip with a plain message,
unless FACEGATE_REQUIRE_BROWSER=1.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from facegate.services import consent, subjects
from facegate.services.deployments import get_deployment
from facegate.services.workbench import assessment, figures, filing
from facegate.web.console.wiring import workbench_deps
from tests.browser.console_server import (
    HOTEL,
    HOTEL_PROCESSOR,
    METRO,
    METRO_PROCESSOR,
    Live,
    fixed_clock,
    live_console,
    screenshot,
    store_people,
    workbench_ctx,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def console(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    """Hotel and metro deployments on Fri 2025-09-26, the day the hotel's processor reaches 100,000 people.

    Shared by the module's tests (writing 100,000 people takes a while); they run in file order.
    """
    clock = fixed_clock("2025-09-01")
    ctx = workbench_ctx(tmp_path_factory.mktemp("console"), clock, "hotel-front-desk-check-in", "metro-station-signed")
    deps = workbench_deps(ctx)
    for day, people in (("2025-09-01", 41_000), ("2025-09-08", 19_000), ("2025-09-15", 21_000),
                        ("2025-09-22", 12_000), ("2025-09-24", 2_000), ("2025-09-26", 5_000)):
        clock.at = fixed_clock(day).at
        store_people(ctx, HOTEL_PROCESSOR, HOTEL, people, at=clock.now())
        for pid in (HOTEL_PROCESSOR, METRO_PROCESSOR):  # the daily snapshot job (M-15.1)
            filing.snapshot(ctx.services, deps, pid)
    notice = get_deployment(ctx.services, HOTEL).notice_version
    for i in range(4):
        consent.give_consent(ctx.services, consent.ConsentRequest(HOTEL, f"guest-{i}", "check_in", notice,
                                                                     age_attested_by="desk"))
    consent.withdraw_consent(ctx.services, HOTEL, "guest-0", None)
    for i in range(3):
        subjects.use_alternative(ctx.services, HOTEL, "check_in", "staff-id-check", True, f"walk-in-{i}")
    rec = assessment.generate(ctx.services, deps, HOTEL)
    assessment.approve(ctx.services, deps, HOTEL, rec.version, signer=assessment.Signer("陈静", "admin"))
    figures.record_incident(ctx.services, deps, METRO, summary="Camera cable cut at lane B2", is_major=False)
    with live_console(ctx, clock) as live:
        yield live
    ctx.close()


def _open(page: Any, live: Live, path: str) -> None:
    page.context.add_cookies([live.cookie])
    response = page.goto(live.url + path)
    assert response is not None and response.status == 200, path


def test_console_pages(console: Live, page: Any) -> None:
    _open(page, console, "/console?lang=en")
    hotel_card = page.locator("[data-testid=filing-card]").filter(has_text="Hangzhou Westlake Yunqi Hotel")  # English page
    assert hotel_card.inner_text().count("100,000")
    assert "intact" in page.locator("[data-testid=chain-card]").inner_text()
    rows = page.locator("[data-testid=deployments] tr")
    assert rows.count() == 3 and "approved" in rows.nth(1).inner_text() + rows.nth(2).inner_text()
    assert page.locator("svg.chart").count() >= 2
    screenshot(page, "console-overview")

    _open(page, console, f"/console/deployments/{HOTEL}?lang=en")
    figures_row = page.locator("[data-testid=figures] tr").nth(1).inner_text()
    assert figures_row.split()[:2] == ["4", "1"]  # consents given, withdrawn
    assert "50.0%" not in figures_row and "100.0%" in figures_row  # 3 alternatives, no face completions
    assert page.locator("[data-testid=assessments] a").filter(has_text="PDF 中文").count() == 1
    screenshot(page, "console-deployment")

    page.click("[data-testid=assessments] >> text=HTML EN")
    assert "Personal information protection impact assessment" in page.content() and "APPROVED" in page.content()
    screenshot(page, "console-pia-report")

    _open(page, console, f"/console/deployments/{METRO}")
    assert "M-13.2" in page.content()
    natural = page.eval_on_selector("img.sign-preview", "img => img.naturalWidth")
    assert natural > 0  # the SVG sign loads from /v1/workbench/.../sign.svg
    screenshot(page, "console-deployment-metro")

    page.set_viewport_size({"width": 800, "height": 1130})
    _open(page, console, f"/v1/workbench/deployments/{METRO}/sign.png?size=A4")
    screenshot(page, "console-sign", full_page=False)
    page.set_viewport_size({"width": 900, "height": 1000})

    _open(page, console, "/console/filing?lang=en")
    assert page.locator("[data-testid=countdown] [data-due]").get_attribute("data-due") == "2025-11-13"
    assert page.locator("svg.chart circle").count() >= 6  # the daily trend, both processors
    # Past the threshold the task and its deadline warnings take over from count levels (M-15.5), and with
    # a recorded history the threshold date is certain (no "may be earlier" warning, M-15.2).
    assert page.locator("[data-testid=alerts]").count() == 0 and "may be earlier" not in page.content()
    assert "30" in page.locator("[data-testid=countdown]").inner_text()
    assert page.locator("[data-testid=dossier]").count() == 2
    screenshot(page, "console-filing")

    _open(page, console, "/console/assessments?lang=en")
    assert "approved" in page.locator("[data-testid=assessment-versions]").inner_text()
    screenshot(page, "console-assessments")

    _open(page, console, "/console/records?lang=en")
    assert "intact" in page.locator("[data-testid=chain]").inner_text()
    assert "Camera cable cut" in page.locator("[data-testid=incidents]").inner_text()
    screenshot(page, "console-records")

    _open(page, console, "/console/requests")
    assert page.locator("[data-testid=requests]").count() == 1
    screenshot(page, "console-requests")


def test_officer_records_a_major_incident_and_the_assessment_goes_out_of_date(console: Live, page: Any) -> None:
    _open(page, console, "/console/records?lang=en")
    page.select_option("select[name=deployment_id]", HOTEL)
    page.fill("input[name=summary]", "Template database copied by an intruder")
    page.check("input[name=is_major]")
    page.click("form[action='/console/incidents'] button")
    page.wait_for_url("**/console/records")
    _open(page, console, f"/console/deployments/{HOTEL}?lang=en")
    banner = page.locator("[data-code=assessment_outdated]")
    assert "major security incident" in banner.inner_text()
    page.click("form[action$='/assessments'] button")
    page.wait_for_url(f"**/console/deployments/{HOTEL}#assessments")
    assert "v2" in page.locator("[data-testid=assessments]").inner_text()
    screenshot(page, "console-outdated")


def test_calendar_gap_shows_a_banner(tmp_path: Path, page: Any) -> None:
    clock = fixed_clock("2026-11-26")
    ctx = workbench_ctx(tmp_path, clock, "hotel-front-desk-check-in")
    with ctx.services.store.transaction() as tx:
        tx.workbench.put_people_count(HOTEL_PROCESSOR, clock.now().date(), 100_000, clock.now())
    try:
        with live_console(ctx, clock) as live:
            _open(page, live, "/console/filing")
            banner = page.locator("[data-code=calendar_year_missing]")
            assert banner.count() == 1 and "calendar.yaml" in banner.inner_text()
            screenshot(page, "console-calendar-banner")
    finally:
        ctx.close()

