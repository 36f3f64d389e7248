"""Issue 16 item 10: an admin issues and revokes API keys in the console and pairs a kiosk with a device key.

The secret is shown once (only its hash is kept), revocation asks first and takes
effect at once (M-14.4), and a non-admin may not manage keys (M-14.3).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from facegate.services.access import create_api_key, list_api_keys
from tests.browser.console_server import HOTEL, screenshot, serve_app
from tests.browser.console_site import Site, hotel_site
from tests.browser.test_console_signoff import sign_in

pytestmark = [pytest.mark.browser]


@pytest.fixture
def site(tmp_path: Path, real_engine: Any, face_images: dict[str, bytes]) -> Iterator[tuple[Site, str]]:
    from facegate.web.app import create_app

    s = hotel_site(tmp_path, real_engine, face_images)
    with serve_app(create_app(s.ctx)) as url:
        yield s, url
    s.ctx.close()


def _kinds(s: Site) -> list[tuple[str, str]]:
    with s.ctx.services.store.transaction(readonly=True) as tx:
        return [(e.event.kind, e.event.actor) for e in tx.record.events() if e.event.kind.startswith("key_")]


def test_admin_issues_a_kiosk_key_pairs_a_screen_and_revokes_it(site: tuple[Site, str], browser: Any) -> None:
    s, url = site
    admin = create_api_key(s.ctx.services, "chief", "admin", ("*",))
    officer = browser.new_context()
    page = officer.new_page()
    sign_in(page, url, admin.token)
    page.goto(f"{url}/console/keys?lang=en")
    page.fill("#k-name", "lobby-kiosk-1")
    page.select_option("#k-role", "device")
    page.check(f"input[name=scope][value='{HOTEL}']")
    page.click("#issue")
    secret = page.locator("[data-testid=secret]").inner_text().strip()
    assert secret.startswith("fg_") and "shown this once" in page.locator("[data-testid=created]").inner_text()
    screenshot(page, "console-keys-issued")
    key = next(k for k in list_api_keys(s.ctx.services) if k.name == "lobby-kiosk-1")
    assert key.role.value == "device" and key.scopes == frozenset({HOTEL}) and secret not in repr(key)
    assert ("key_created", admin.key.key_id) in _kinds(s)
    page.goto(f"{url}/console/keys?lang=en")
    assert secret not in page.content()  # never shown again

    kiosk = browser.new_context()
    screen = kiosk.new_page()
    screen.goto(f"{url}/kiosk/{HOTEL}/pair")
    screen.fill("input[name=device_key]", secret)
    screen.locator("form button[type=submit]").click()
    screen.wait_for_url(f"{url}/kiosk/{HOTEL}")
    assert screen.goto(f"{url}/kiosk/{HOTEL}").status == 200  # paired

    page.click(f"[data-revoke='{key.key_id}']")
    assert "every kiosk paired with this key is unpaired" in page.locator("[data-testid=confirm-what]").inner_text()
    assert next(k for k in list_api_keys(s.ctx.services) if k.key_id == key.key_id).revoked_at is None  # asks first
    page.click("#confirm")
    page.wait_for_url(f"{url}/console/keys")
    assert page.locator(f"[data-key='{key.key_id}'] [data-state]").get_attribute("data-state") == "revoked"
    assert ("key_revoked", admin.key.key_id) in _kinds(s)
    again = screen.goto(f"{url}/kiosk/{HOTEL}")
    assert again.status == 401 or "/pair" in screen.url  # unpaired at once (M-14.4)
    officer.close()
    kiosk.close()


def test_only_admins_manage_keys(site: tuple[Site, str], page: Any) -> None:
    s, url = site
    sign_in(page, url, create_api_key(s.ctx.services, "desk-clerk", "operator", ("*",)).token)
    r = page.goto(f"{url}/console/keys")
    assert r.status == 403 and "forbidden_role" in page.content()
    made = page.request.post(f"{url}/console/keys", form={"name": "x", "role": "admin", "scope": "*"})
    assert made.status == 403 and not any(k.name == "x" for k in list_api_keys(s.ctx.services))
