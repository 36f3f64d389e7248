"""Each language's pages name the processor in that language (M-5.2): notice, console, sign, report.

Without an English name in the manifest the English pages show the Chinese name and say
so, rather than passing it off as English.
"""

from __future__ import annotations

import html
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from facegate.bootstrap import AppContext
from facegate.services.access import create_api_key
from facegate.web.app import create_app
from tests.browser.console_server import HOTEL, METRO, apply, example, fixed_clock, workbench_ctx

HOTEL_ZH, HOTEL_EN = "杭州西湖云栖酒店管理有限公司", "Hangzhou Westlake Yunqi Hotel Management Co., Ltd."
METRO_ZH, METRO_EN = "深圳市轨道交通运营有限公司", "Shenzhen Metro Operations Co., Ltd."
FALLBACK = "no English name given"


@pytest.fixture
def ctx(tmp_path: Path) -> Iterator[AppContext]:
    c = workbench_ctx(tmp_path, fixed_clock("2026-03-02"), "hotel-front-desk-check-in", "metro-station-signed")
    yield c
    c.close()


@pytest.fixture
def client(ctx: AppContext) -> Iterator[TestClient]:
    token = create_api_key(ctx.services, "officer", "admin", ("*",)).token
    with TestClient(create_app(ctx), headers={"Authorization": "Bearer " + token}) as c:
        yield c


def _page(client: TestClient, path: str, lang: str) -> str:
    r = client.get(path, params={"lang": lang})
    assert r.status_code == 200, (path, r.text[:300])
    return html.unescape(r.text)


def test_each_language_names_the_processor_in_it(client: TestClient) -> None:
    for path in ("/console", f"/console/deployments/{HOTEL}", "/console/filing"):
        assert HOTEL_EN in _page(client, path, "en") and HOTEL_ZH not in _page(client, path, "en"), path
        assert HOTEL_ZH in _page(client, path, "zh"), path
    assert HOTEL_EN in _page(client, f"/notice/{HOTEL}", "en")
    svg = html.unescape(client.get(f"/v1/workbench/deployments/{METRO}/sign.svg").text)
    assert METRO_ZH in svg and METRO_EN in svg  # the sign is bilingual: each language its own line
    made = client.post(f"/v1/workbench/deployments/{HOTEL}/assessments", json={})
    assert made.status_code == 201, made.text
    report = client.get(f"/v1/workbench/deployments/{HOTEL}/assessments/{made.json()['version']}/report.html",
                        params={"lang": "en"})
    assert HOTEL_EN in html.unescape(report.text)


def test_without_an_english_name_english_pages_say_they_show_the_chinese_one(ctx: AppContext,
                                                                             client: TestClient) -> None:
    apply(ctx, example("metro-station-signed", **{"processor.name": {"zh": METRO_ZH}}))
    for path in ("/console", f"/console/deployments/{METRO}"):
        page = _page(client, path, "en")
        assert f"{METRO_ZH} (registered Chinese name; {FALLBACK})" in page and METRO_EN not in page, path
        assert FALLBACK not in _page(client, path, "zh")
    assert FALLBACK in _page(client, f"/notice/{METRO}", "en")
    svg = html.unescape(client.get(f"/v1/workbench/deployments/{METRO}/sign.svg").text)
    assert FALLBACK in svg
