"""Consent, capture by upload, verify, self-service and withdrawal in a real browser with real photos."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import Live, launch, screenshot
from tests.browser.kiosk_setup import HOTEL

pytestmark = pytest.mark.browser


@pytest.fixture
def photos(face_images: dict[str, bytes], tmp_path: Path) -> dict[str, Path]:
    """The photos as files for the upload control (the browser reads them; the server never stores them)."""
    folder = tmp_path / "photos"
    folder.mkdir()
    out = {}
    for name in ("obama.jpg", "obama2.jpg", "biden.jpg"):
        out[name] = folder / name
        out[name].write_bytes(face_images[name])
    out["notes.txt"] = folder / "notes.txt"
    out["notes.txt"].write_text("this is not an image")
    return out


def _consent(page: Any, url: str, ref: str) -> str:
    page.goto(f"{url}/kiosk/{HOTEL}/consent")
    page.fill("#subject_ref", ref)
    page.fill("#birth_date", "1985-03-14")
    page.check("#face_consent")
    page.click("#submit-consent")
    return str(page.locator("#receipt-code").inner_text())


def _send(page: Any, mode: str, photo: Path, expect: str) -> None:
    page.set_input_files(f"#file-{mode}", str(photo))
    page.click(f"#send-{mode}")
    result = page.locator(f"#result-{mode}")
    page.wait_for_function("(el) => el.dataset.code", arg=result.element_handle())
    assert result.get_attribute("data-code") == expect, result.inner_text()


def _templates(live: Live, ref: str) -> int:
    with live.ctx.services.store.transaction() as tx:
        subject = tx.subjects.get(tx.deployments.get(HOTEL).processor_id, ref)
        return tx.templates.count_for_subject(subject.id) if subject else 0


def test_consent_enroll_verify_then_withdraw_in_self_service(live: Live, page: Any, photos: dict[str, Path]) -> None:
    code = _consent(page, live.url, "guest-42")
    assert code.startswith("FGR-")
    _send(page, "enroll", photos["notes.txt"], "image_undecodable")  # not an image: clear code, nothing kept
    assert _templates(live, "guest-42") == 0
    _send(page, "enroll", photos["obama.jpg"], "enrolled")
    assert _templates(live, "guest-42") == 1
    assert page.locator("#receipt-code").inner_text() == code  # still there to print or scan
    assert page.locator("#skip-capture").inner_text() == "已保存回执，下一步"
    page.click("#skip-capture")  # the result step: the receipt is off the screen for good
    assert code not in page.content()
    page.goto(f"{live.url}/kiosk/{HOTEL}/registered")
    page.fill("#verify_ref", "guest-42")
    _send(page, "verify", photos["obama2.jpg"], "match")
    _send(page, "verify", photos["biden.jpg"], "no_match")

    page.goto(f"{live.url}/self-service")
    page.fill("#receipt_code", code.lower())  # codes are read case-insensitively
    page.click("#look-up")
    held = page.locator("#held")
    assert held.get_attribute("data-status") == "active" and held.get_attribute("data-templates") == "1"
    assert "西湖云栖酒店前台入住核验" in held.inner_text()
    screenshot(page, "self-service-zh")

    page.click("#withdraw")
    assert page.locator("#confirm-held").inner_text().count("1")  # asks first, naming what will be destroyed
    assert _templates(live, "guest-42") == 1
    page.click("#confirm-withdraw")
    receipt = page.locator("#deletion-receipt").inner_text()
    assert receipt.startswith("FGD-") and page.locator("#templates-deleted").inner_text() == "1"
    assert _templates(live, "guest-42") == 0  # destroyed at once (M-6.3)
    page.click("#look-again")
    assert page.locator("#held").get_attribute("data-status") == "withdrawn"
    assert page.locator("#held").get_attribute("data-templates") == "0"
    assert page.locator("#withdraw").count() == 0  # cannot withdraw twice

    page.goto(f"{live.url}/kiosk/{HOTEL}/registered")
    page.fill("#verify_ref", "guest-42")
    _send(page, "verify", photos["obama2.jpg"], "consent_withdrawn")
    assert "撤回" in page.locator("#result-verify").inner_text()


def test_forged_receipt_is_explained(live: Live, page: Any) -> None:
    page.goto(f"{live.url}/self-service?lang=en")
    page.fill("#receipt_code", "FGR-0000000000000000")
    page.click("#look-up")
    alert = page.locator("#error")
    assert alert.get_attribute("data-code") == "receipt_unknown"
    assert "No record matches" in alert.inner_text() and "没有与此回执码对应的记录" in alert.inner_text()


def test_camera_capture_with_a_fake_device(playwright: Any, live: Live) -> None:
    """getUserMedia with Chromium's fake camera: the frame reaches the engine (which finds no face in it)."""
    browser = launch(playwright, "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream")
    try:
        context = browser.new_context()
        context.add_cookies(list(live.cookies))
        context.grant_permissions(["camera"], origin=live.url)
        page = context.new_page()
        page.goto(f"{live.url}/kiosk/{HOTEL}/registered")
        page.fill("#verify_ref", "nobody-yet")
        page.click("#capture-verify .cam-start")
        page.wait_for_function("() => document.querySelector('#capture-verify video').videoWidth > 0")
        page.click("#capture-verify .cam-shot")
        result = page.locator("#result-verify")
        page.wait_for_function("(el) => el.dataset.code", arg=result.element_handle())
        # No consent yet, so the gate refuses before any face processing (M-6.1).
        assert result.get_attribute("data-code") == "consent_missing"
    finally:
        browser.close()


def test_irreversible_steps_ask_first_without_javascript(browser: Any, live: Live, face_images: dict[str, bytes]) -> None:
    """Issue 16 item 8: Delete and Withdraw show a confirmation page; Cancel keeps everything; no script needed."""
    from facegate.services import consent as consent_service, faces
    from facegate.services.deployments import get_deployment

    notice = get_deployment(live.ctx.services, HOTEL).notice_version
    code = consent_service.give_consent(live.ctx.services, consent_service.ConsentRequest(
        HOTEL, "guest-7", "check_in", notice, age_attested_by="desk")).receipt_code
    faces.enroll(live.ctx.services, HOTEL, "guest-7", "check_in", face_images["obama.jpg"])
    context = browser.new_context(java_script_enabled=False, locale="en-US")
    try:
        page = context.new_page()
        for lang, cancel_first in (("en", True), ("zh", False)):
            page.goto(f"{live.url}/self-service?lang={lang}")
            page.fill("#receipt_code", code)
            page.click("#look-up")
            page.click("#delete")
            assert page.locator("#confirm-title").count() == 1 and _templates(live, "guest-7") == 1
            if cancel_first:
                assert "cannot be recovered" in page.locator("#confirm-what").inner_text()
                screenshot(page, "self-service-confirm-delete-en")
                page.click("#cancel")
                assert page.locator("#held").get_attribute("data-templates") == "1"
            else:
                assert "无法恢复" in page.locator("#confirm-what").inner_text()
                page.click("#confirm-delete")
                assert page.locator("#deletion-receipt").inner_text().startswith("FGD-")
        assert _templates(live, "guest-7") == 0
    finally:
        context.close()
