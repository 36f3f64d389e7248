"""Issue 16 item 9: processors by name, a processor filter, demo deployments kept apart, and pages.

The site runs the hotel and the metro for real and has every example loaded as a demo
(what `make run` does). Before the fix the filing page listed all of them by their
18-character codes on one page some 7,000 px tall.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from facegate.services.examples import load_manifests
from tests.browser.console_server import (
    HOTEL,
    HOTEL_PROCESSOR,
    METRO,
    ROOT,
    Live,
    fixed_clock,
    live_console,
    screenshot,
    workbench_ctx,
)

pytestmark = [pytest.mark.browser]
HOTEL_NAME = "Hangzhou Westlake Yunqi Hotel Management Co., Ltd."  # the English pages' name for it


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Live]:
    clock = fixed_clock("2025-09-26")
    ctx = workbench_ctx(tmp_path, clock)
    texts = [(str(p), p.read_text(encoding="utf-8")) for p in sorted((ROOT / "examples").glob("*.yaml"))
             if p.stem not in ("hotel-front-desk-check-in", "metro-station-signed")]
    assert len([x for x in load_manifests(ctx.services, texts) if x.deployment_id]) >= 8
    from tests.browser.console_server import apply, example

    apply(ctx, example("hotel-front-desk-check-in"))
    apply(ctx, example("metro-station-signed"))
    with live_console(ctx, clock) as live:
        yield live
    ctx.close()


def _open(page: Any, live: Live, path: str) -> None:
    page.context.add_cookies([live.cookie])
    response = page.goto(live.url + path)
    assert response is not None and response.status == 200, path


def test_real_deployments_by_name_with_demos_apart_filtered_and_paged(site: Live, page: Any) -> None:
    _open(page, site, "/console?lang=en")
    ids = page.locator("[data-testid=deployments] a").all_inner_texts()
    assert len(page.locator("[data-testid=deployments] tr").all()) == 3  # header + hotel + metro: no demos
    assert "demo deployments are not listed" in page.locator("[data-testid=demo-note]").inner_text()
    card = page.locator("[data-testid=filing-card]").first.inner_text()
    assert HOTEL_PROCESSOR not in card and ("Co." in card or "公司" in card), ids
    assert page.locator(f"[data-processor='{HOTEL_PROCESSOR}']").first.inner_text() == HOTEL_NAME

    _open(page, site, "/console/filing?lang=en")
    headings = page.locator("h2[data-processor]")
    assert headings.count() == 2 and HOTEL_NAME in headings.all_inner_texts()[0] + headings.all_inner_texts()[1]
    page.select_option("#f-processor", HOTEL_PROCESSOR)
    page.click("[data-testid=filters] button")
    assert page.locator("h2[data-processor]").count() == 1
    assert page.locator("h2[data-processor]").get_attribute("data-processor") == HOTEL_PROCESSOR
    screenshot(page, "console-filing-filtered")

    _open(page, site, "/console/filing?lang=en&demo=1")
    assert page.locator("[data-testid=demo-banner]").count() == 1
    assert page.locator("h2[data-processor]").count() == 2
    pager = page.locator("[data-testid=pager]").first
    assert "Page 1 of" in pager.inner_text()
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height < 3500, height  # was ~7,000 px with every processor on one page
    pager.locator("a[rel=next]").click()
    assert page.locator("[data-testid=pager] [data-page]").first.get_attribute("data-page") == "2"
    assert page.locator("h2[data-processor]").count() >= 1
    assert HOTEL not in page.content() and METRO not in page.content()  # the real ones are not demos

    _open(page, site, "/console/assessments?lang=en&demo=1")
    assert page.locator("[data-testid=demo-banner]").count() == 1
    rows = page.locator("[data-testid=assessment-status] a").all_inner_texts()
    assert HOTEL not in rows and len(rows) >= 8
    page.locator("[data-testid=assessment-status] a").first.click()
    assert page.locator("[data-testid=demo-banner]").count() == 1  # a demo says so on its own page too
    _open(page, site, f"/console/deployments/{HOTEL}?lang=en")
    assert page.locator("[data-testid=demo-banner]").count() == 0
