"""Issue 16 items 1-6 played in Chromium: two guests in a row, the language switch on the receipt, the back
button, the idle reset with a short setting, an unattended screen refusing a photo file, and a sign's QR
code decoded and opened on a phone that was never paired."""

from __future__ import annotations

import dataclasses
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from facegate.bootstrap import build_context
from facegate.services.workbench import signs
from facegate.web.app import create_app
from facegate.web.console.wiring import workbench_deps
from tests import needs
from tests.browser.conftest import Live, _pair_all, screenshot
from tests.browser.console_server import METRO, apply, example
from tests.browser.kiosk_setup import HOTEL, hotel_manifest, install
from tests.browser.server import serve_app
from tests.conftest import make_settings

pytestmark = pytest.mark.browser
UNATTENDED = "westlake-self-check-in"
IDLE = 4  # seconds: the setting, short for the test (60 by default)


@pytest.fixture
def site(tmp_path: Path, real_engine: Any) -> Iterator[Live]:  # type: ignore[no-untyped-def]
    ctx = build_context(make_settings(tmp_path, kiosk_idle_seconds=IDLE), engine=real_engine)
    install(ctx, hotel_manifest())
    install(ctx, hotel_manifest(id=UNATTENDED, scenario={"unattended": True}))
    apply(ctx, example("metro-station-signed"))
    with serve_app(create_app(ctx)) as url:
        yield Live(url, ctx, _pair_all(ctx, url))
    ctx.close()


@pytest.fixture
def kiosk(browser: Any, site: Live) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1080, "height": 1400}, locale="zh-CN")
    context.add_cookies(list(site.cookies))
    page = context.new_page()
    page.set_default_timeout(30_000)
    yield page
    context.close()


def _consent(page: Any, url: str, deployment: str, ref: str) -> str:
    page.goto(f"{url}/kiosk/{deployment}")
    page.click("#notice-next")
    page.click("#choose-face")
    page.fill("#subject_ref", ref)
    page.fill("#birth_date", "1988-08-08")
    page.check("#face_consent")
    page.click("#submit-consent")
    return str(page.locator("#receipt-code").inner_text())


def test_two_guests_in_a_row_share_nothing(kiosk: Any, site: Live) -> None:
    """Item 1: the receipt is the first guest's only; after a refusal the next guest is back at the start."""
    code = _consent(kiosk, site.url, HOTEL, "guest-a")
    assert code.startswith("FGR-") and kiosk.locator("#receipt-qr svg").count() == 1
    assert kiosk.locator("#print-receipt").is_visible()
    screenshot(kiosk, "kiosk-step-4-receipt")
    kiosk.click("#skip-capture")
    assert code not in kiosk.content()  # the result step no longer shows it
    kiosk.go_back()
    assert code not in kiosk.content() and kiosk.url.startswith(f"{site.url}/kiosk/{HOTEL}")  # shown once
    kiosk.goto(f"{site.url}/kiosk/{HOTEL}/done")
    kiosk.click("#finish")
    # Guest B: the start, in Chinese, with nothing of guest A anywhere.
    assert kiosk.url == f"{site.url}/kiosk/{HOTEL}" and kiosk.locator("html").get_attribute("lang") == "zh-CN"
    kiosk.goto(f"{site.url}/kiosk/{HOTEL}/capture")
    assert code not in kiosk.content() and kiosk.locator("#notice").is_visible()
    # Guest B says no; guest C still gets the face option (M-6.6 is per guest).
    kiosk.click("#choose-alternative")
    kiosk.click("#alternative-done")
    assert kiosk.locator("#alternative-result").get_attribute("data-verified") == "yes"
    kiosk.click("#finish")
    kiosk.click("#notice-next")
    assert kiosk.locator("#choose-face").is_visible()


def test_language_switch_and_back_button_keep_the_step(kiosk: Any, site: Live) -> None:
    """Item 2: the receipt survives the switch to English and back; no ERR_CACHE_MISS on the way back."""
    code = _consent(kiosk, site.url, HOTEL, "guest-lang")
    kiosk.click("#lang-switch")
    assert kiosk.locator("html").get_attribute("lang") == "en"
    assert kiosk.locator("#receipt-code").inner_text() == code and "Receipt code" in kiosk.content()
    screenshot(kiosk, "kiosk-receipt-en")
    kiosk.click("#lang-switch")
    assert kiosk.locator("#receipt-code").inner_text() == code
    for _ in range(2):  # English, then the page the consent POST redirected to: GET pages that reload fine
        response = kiosk.go_back()
        assert response is not None and response.ok and kiosk.locator("#receipt-code").inner_text() == code
    response = kiosk.go_back()  # the form again (a fresh token), never a POST re-sent or ERR_CACHE_MISS
    assert response is not None and response.ok and kiosk.locator("#consent-form").is_visible()


def test_idle_reset_clears_the_receipt_with_a_visible_countdown(kiosk: Any, site: Live) -> None:
    """Item 1: FACEGATE_KIOSK_IDLE_SECONDS=4 here; the countdown shows, then the screen clears."""
    code = _consent(kiosk, site.url, HOTEL, "guest-idle")
    countdown = kiosk.locator("#idle-countdown")
    assert countdown.is_visible() and "秒" in countdown.inner_text()
    kiosk.locator("#idle-warning").wait_for(state="visible", timeout=IDLE * 1000)
    screenshot(kiosk, "kiosk-idle-warning", full_page=False)
    kiosk.wait_for_url(f"{site.url}/kiosk/{HOTEL}", timeout=(IDLE + 5) * 1000)
    assert code not in kiosk.content()
    kiosk.goto(f"{site.url}/kiosk/{HOTEL}/capture")  # the flow itself is gone, not only the page
    assert code not in kiosk.content() and kiosk.url.startswith(f"{site.url}/kiosk/{HOTEL}?")
    # A touch restarts the countdown: the dialog's "Continue" keeps the guest where they are.
    kiosk.click("#notice-next")
    kiosk.locator("#idle-warning").wait_for(state="visible", timeout=IDLE * 1000)
    kiosk.click("#idle-stay")
    assert kiosk.locator("#idle-warning").is_hidden() and kiosk.url.startswith(f"{site.url}/kiosk/{HOTEL}/choose")


def test_an_unattended_screen_takes_only_the_live_camera(kiosk: Any, site: Live) -> None:
    """Item 4: no file control, and a file sent anyway is refused by the server with a stable code."""
    _consent(kiosk, site.url, UNATTENDED, "guest-u")
    assert kiosk.locator("input[type=file]").count() == 0 and kiosk.locator("#camera-only-enroll").is_visible()
    answer = kiosk.evaluate("""async (url) => {
        const t = await (await fetch(url + "/form-token?kind=capture")).json();
        const r = await fetch(url + "/enroll", {method: "POST", body: new Uint8Array([255, 216, 255]),
            headers: {"X-Form-Token": t.token, "X-Capture-Source": "upload", "Accept": "application/json"}});
        return {status: r.status, body: await r.json()};
    }""", f"{site.url}/kiosk/{UNATTENDED}")
    assert answer["status"] == 403 and answer["body"]["code"] == "photo_upload_not_allowed"
    assert answer["body"]["article_id"] == "M-14.5"
    kiosk.goto(f"{site.url}/kiosk/{UNATTENDED}/registered")
    assert kiosk.locator("input[type=file]").count() == 0 and kiosk.locator("#live-start").is_visible()


def test_the_sign_qr_code_opens_the_public_notice_without_pairing(browser: Any, site: Live) -> None:
    """Item 6: decode the printed sign's QR code and open it in a browser that was never paired."""
    import zxingcpp
    from PIL import Image

    needs.command("pdftoppm", "poppler-utils")
    deps = dataclasses.replace(workbench_deps(site.ctx), public_base_url=site.url)
    png, _ = signs.sign(site.ctx.services, deps, METRO, "png", "A4")
    (target,) = [r.text for r in zxingcpp.read_barcodes(Image.open(io.BytesIO(png)).convert("L"))]
    assert target == f"{site.url}/notice/{METRO}"
    phone = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-US", is_mobile=True)
    try:
        page = phone.new_page()
        response = page.goto(target + "?lang=en")
        assert response is not None and response.status == 200
        text = page.inner_text("main")
        for part in ("Who processes your face information", "What we use face recognition for",
                     "How long we keep it", "Your rights and how to use them", "Contact:"):
            assert part in text, part
        assert page.locator("form").count() == 0 and page.locator("#public-lead").is_visible()
        screenshot(page, "public-notice-en")
        page.goto(target + "?lang=zh")
        assert "谁在处理您的人脸信息" in page.inner_text("main")
    finally:
        phone.close()


def test_back_after_a_refused_then_accepted_consent_meets_no_post(kiosk: Any, site: Live) -> None:
    """Item 2: a refused submission comes back by redirect, so going back never re-sends a form."""
    kiosk.goto(f"{site.url}/kiosk/{HOTEL}/consent?lang=en")
    kiosk.fill("#subject_ref", "guest-back")
    kiosk.fill("#birth_date", "1988-08-08")
    kiosk.click("#submit-consent")  # unticked: refused
    assert kiosk.locator("#error").get_attribute("data-code") == "consent_not_given"
    assert kiosk.locator("#subject_ref").input_value() == "guest-back"  # what was typed is kept
    assert kiosk.url.endswith("/consent?lang=en")  # a GET page
    kiosk.fill("#birth_date", "1988-08-08")
    kiosk.check("#face_consent")
    kiosk.click("#submit-consent")
    code = kiosk.locator("#receipt-code").inner_text()
    response = kiosk.go_back()
    assert response is not None and response.ok and kiosk.locator("#consent-form").is_visible()
    assert kiosk.locator("#error").count() == 0  # the error was shown once
    kiosk.go_forward()
    assert kiosk.locator("#receipt-code").inner_text() == code
