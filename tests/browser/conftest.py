"""A real uvicorn server on a free port and Debian's Chromium driven by Playwright.

Without a browser the tests skip with a plain message, unless
FACEGATE_REQUIRE_BROWSER=1 (CI), where a missing browser fails them.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

import pytest

from facegate.bootstrap import AppContext, build_context
from facegate.domain.model import DeploymentStatus
from facegate.web.app import create_app
from tests import needs
from tests.browser.kiosk_setup import hotel_manifest, install, kids_manifest
from tests.browser.server import screenshot, serve_app  # noqa: F401  (screenshot is re-exported for tests)
from tests.conftest import make_settings

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def chromium_path() -> str | None:
    """$FACEGATE_CHROMIUM when set (and only it), else Debian's /usr/bin/chromium or one on PATH."""
    override = os.environ.get("FACEGATE_CHROMIUM")
    candidates = [override] if override else ["/usr/bin/chromium", shutil.which("chromium"),
                                              shutil.which("chromium-browser")]
    for candidate in candidates:
        if candidate and os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    return None


def _unavailable(message: str) -> NoReturn:
    needs.unavailable(needs.BROWSER, message)


@pytest.fixture(scope="session")
def playwright() -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("The playwright package is not installed; browser tests skipped.")
    exe = chromium_path()
    if exe is None:
        _unavailable("No Chromium found (looked at $FACEGATE_CHROMIUM or /usr/bin/chromium and PATH); "
                     "browser tests skipped.")
    with sync_playwright() as p:
        p.executable = exe
        yield p


def launch(playwright: Any, *extra: str) -> Any:
    return playwright.chromium.launch(executable_path=playwright.executable, args=[*CHROMIUM_ARGS, *extra],
                                      headless=True)


@pytest.fixture(scope="session")
def browser(playwright: Any) -> Iterator[Any]:
    b = launch(playwright)
    yield b
    b.close()


@dataclass
class Live:
    url: str
    ctx: AppContext
    cookies: tuple[dict[str, str], ...] = ()



@pytest.fixture
def live(tmp_path: Path, real_engine: Any) -> Iterator[Live]:  # type: ignore[no-untyped-def]
    """The real app on a temp data dir, the real face engine, the hotel and kids' club deployments."""
    ctx = build_context(make_settings(tmp_path), engine=real_engine)
    install(ctx, hotel_manifest())
    install(ctx, kids_manifest())
    closed = hotel_manifest(id="closed-desk")
    install(ctx, closed, status=DeploymentStatus.ACTIVE)
    from facegate.services.deployments import set_active

    set_active(ctx.services, "closed-desk", False)
    with serve_app(create_app(ctx)) as url:
        yield Live(url, ctx, _pair_all(ctx, url))
    ctx.close()


def _pair_all(ctx: AppContext, url: str) -> tuple[dict[str, str], ...]:
    """Pair the test browser with a device key for every kiosk, as staff do once per screen."""
    from facegate.services.access import create_api_key
    from facegate.services.deployments import list_deployments
    from facegate.web.kiosk.pairing import cookie_name, pairing_value

    ids = [d.id for d in list_deployments(ctx.services)]
    key = create_api_key(ctx.services, "test-kiosk", "device", tuple(ids)).key
    return tuple({"name": cookie_name(i), "value": pairing_value(ctx.services, i, key.key_id)[0],
                  "url": f"{url}/kiosk/{i}"} for i in ids)


@pytest.fixture
def page(browser: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 900, "height": 1000}, locale="zh-CN")
    if "live" in request.fixturenames:
        context.add_cookies(list(request.getfixturevalue("live").cookies))
    p = context.new_page()
    p.set_default_timeout(30_000)
    yield p
    context.close()
