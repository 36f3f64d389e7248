"""Issue 16 item 7: gate refusals, photo problems and alternatives are counted apart on every page.

A record holds one face completion, one gate refusal (no consent), four photo problems
(image_undecodable, no_face, multiple_faces, face_too_dark) and one alternative. Before
the fix the console counted the photo problems as "refused by the gate" (5, not 1).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from facegate.services.workbench import assessment
from facegate.web.console.wiring import workbench_deps
from tests.browser.console_server import HOTEL, Live, live_console, screenshot
from tests.browser.console_site import PHOTO_PROBLEMS, hotel_site

pytestmark = [pytest.mark.browser]


@pytest.fixture
def site(tmp_path: Path, real_engine: Any, face_images: dict[str, bytes]) -> Iterator[Live]:
    s = hotel_site(tmp_path, real_engine, face_images)
    with live_console(s.ctx, s.clock) as live:
        yield live
    s.ctx.close()


def _open(page: Any, live: Live, path: str) -> None:
    page.context.add_cookies([live.cookie])
    response = page.goto(live.url + path)
    assert response is not None and response.status == 200, path


def test_each_kind_is_counted_on_its_own(site: Live, page: Any) -> None:
    _open(page, site, f"/console/deployments/{HOTEL}?lang=en")
    cell = lambda name: page.locator(f"[data-testid=figures] [data-figure={name}]").inner_text()  # noqa: E731
    assert (cell("face"), cell("refused"), cell("photo"), cell("alternative")) == ("1", "1", "4", "1")
    assert cell("share") == "50.0%"  # 1 alternative of 2 completions; photo problems are not completions
    codes = page.locator("[data-testid=photo-codes]").inner_text()
    for code in PHOTO_PROBLEMS:
        assert code in codes
    assert "several faces" in codes and "unreadable image" in codes
    chart = page.locator("svg.chart").first.inner_html()
    assert "refused by the gate 1" in chart and "photo problem 4" in chart
    screenshot(page, "console-figures")

    _open(page, site, "/console?lang=en")
    row = page.locator("[data-testid=deployments] tr").nth(1)
    assert "refused by the gate 1" in row.inner_text() and row.locator("[data-photo]").get_attribute("data-photo") == "4"

    # The "nobody forced" figures of the impact assessment come from the same counts.
    rec = assessment.generate(site.ctx.services, workbench_deps(site.ctx), HOTEL)
    _open(page, site, f"/v1/workbench/deployments/{HOTEL}/assessments/{rec.version}/report.html?lang=en")
    text = page.content()
    assert "1 refusal by the gate" in text and "4 photo problems" in text and "1 non-face completion" in text
    assert "2 separate consents" in text and "0 withdrawals" in text
    _open(page, site, f"/v1/workbench/deployments/{HOTEL}/assessments/{rec.version}/report.html?lang=zh")
    assert "被规则拒绝1次" in page.content() and "照片问题（" in page.content()

    figures = page.request.get(site.url + "/v1/workbench/figures").json()
    hotel = next(f for f in figures if f["deployment_id"] == HOTEL)
    assert (hotel["face_refused"], hotel["photo_problems"], hotel["alternative_uses"]) == (1, 4, 1)
    assert hotel["photo_by_code"] == {code: 1 for code in PHOTO_PROBLEMS}
