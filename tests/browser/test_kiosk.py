"""The kiosk in a real browser: notice first, separate unticked consent, alternative, guardians (M-5/6/7/10)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from tests.browser.conftest import Live, screenshot
from tests.browser.kiosk_setup import HOTEL, KIDS

pytestmark = pytest.mark.browser


def _box(page: Any, selector: str) -> dict[str, float]:
    box = page.locator(selector).bounding_box()
    assert box is not None, selector
    return box


def _years_ago(years: int, days: int = 0) -> str:
    today = date.today()
    born = today.replace(year=today.year - years)
    return date.fromordinal(born.toordinal() + days).isoformat()


SPEECH_SPY = """
window.__spoken = [];
if (window.speechSynthesis) {
  window.speechSynthesis.speak = (u) => { window.__spoken.push({text: u.text, lang: u.lang}); };
}
"""


def test_notice_first_then_separate_unticked_consent_and_equal_alternative(live: Live, page: Any) -> None:
    page.add_init_script(SPEECH_SPY)
    page.goto(f"{live.url}/kiosk/{HOTEL}")
    assert page.locator("html").get_attribute("lang") == "zh-CN"  # Chinese by default
    notice = page.locator("#notice")
    assert "西湖云栖酒店" in notice.inner_text() and "30天" in notice.inner_text()
    # M-5.3: the notice comes first, on its own step, before the choice and the consent control; the full
    # text is one tap away, and the way without a face is already there (M-10.2).
    assert _box(page, "#notice")["y"] < _box(page, "#choice")["y"] and page.locator("#face_consent").count() == 0
    assert page.locator("#choose-alternative").is_visible()
    assert page.locator(".steps [aria-current=step]").inner_text().endswith("告知")
    assert not page.locator("#notice-full").evaluate("d => d.open")
    screenshot(page, "kiosk-zh")
    page.locator("#notice-full summary").click()
    assert page.locator("#notice-full [data-key='rights']").is_visible()
    page.click("#notice-next")
    # M-10.2: the alternative sits at the same decision point with the same size as the face option.
    face, alt = _box(page, "#choose-face"), _box(page, "#choose-alternative")
    assert abs(face["height"] - alt["height"]) < 2 and abs(face["width"] - alt["width"]) < 2
    assert face["height"] >= 44  # touch-sized
    assert "前台人工核验身份证" in page.locator("#choose-alternative").inner_text()
    page.click("#choose-face")

    # M-6.1: one checkbox, unticked, about face processing only, inside its own fieldset.
    consent = page.locator("#face_consent")
    assert consent.is_visible() and not consent.is_checked()
    assert page.locator("#consent-form input[type=checkbox]:checked").count() == 0
    assert page.locator("#self-consent input[type=checkbox]").count() == 1
    assert "人脸信息" in page.locator("label[for=face_consent]").inner_text()
    # M-10.3: the camera is off until the person asks for it.
    assert page.locator("video").count() == 0

    # Submitting without ticking the box stores nothing and says why, in both languages.
    page.fill("#subject_ref", "guest-untick")
    page.fill("#birth_date", "1990-05-01")
    page.click("#submit-consent")
    alert = page.locator("#error")
    assert alert.get_attribute("data-code") == "consent_not_given"
    assert "请勾选同意" in alert.inner_text() and "Tick the consent box" in alert.inner_text()
    with live.ctx.services.store.transaction() as tx:
        assert tx.subjects.get(tx.deployments.get(HOTEL).processor_id, "guest-untick") is None

    page.click("#lang-switch")  # the same step in English
    assert page.locator("html").get_attribute("lang") == "en"
    assert "I have read the notice" in page.locator("label[for=face_consent]").inner_text()
    page.goto(f"{live.url}/kiosk/{HOTEL}")
    assert "Face recognition notice" in page.locator("#notice-title").inner_text()
    screenshot(page, "kiosk-en")

    # M-5.5: large text and high contrast, operable from the keyboard, remembered.
    page.locator("#toggle-large").focus()
    page.keyboard.press("Enter")
    page.click("#toggle-contrast")
    assert page.locator("#toggle-large").get_attribute("aria-pressed") == "true"
    assert set(page.locator("html").get_attribute("class").split()) >= {"large", "contrast"}
    page.click("#read-aloud")  # M-5.5: the whole notice, read in the page's language
    (spoken,) = page.evaluate("() => window.__spoken")
    assert spoken["lang"] == "en-US" and "How long we keep it" in spoken["text"] and "Your rights" in spoken["text"]
    screenshot(page, "kiosk-en-large-contrast")


def test_refusal_takes_the_alternative_path_which_succeeds_and_is_not_asked_again(live: Live, page: Any) -> None:
    page.goto(f"{live.url}/kiosk/{HOTEL}/consent")
    page.click("#refuse")
    assert "/alternative" in page.url
    assert page.locator("#method-staff-id-check").is_checked()
    page.fill("#alt_ref", "guest-no-face")
    page.click("#alternative-done")
    result = page.locator("#alternative-result")
    assert result.get_attribute("data-verified") == "yes" and "未处理任何人脸信息" in result.inner_text()
    with live.ctx.services.store.transaction() as tx:
        d = tx.deployments.get(HOTEL)
        assert tx.subjects.get(d.processor_id, "guest-no-face") is None  # no face data, no consent row

    # M-6.6: the same guest is not asked for face consent again...
    page.goto(f"{live.url}/kiosk/{HOTEL}/choose")
    assert page.locator("#choose-face").count() == 0
    assert page.locator("#choose-alternative").is_visible()
    # ...but the person may choose face recognition themselves, and the next guest starts clean.
    page.click("#face-after-all")
    assert page.locator("#choose-face").is_visible()
    page.goto(f"{live.url}/kiosk/{HOTEL}/alternative")
    page.click("#alternative-done")
    page.click("#finish")
    page.click("#notice-next")
    assert page.locator("#choose-face").is_visible()


def test_under_14_cannot_proceed_without_the_guardian_flow(live: Live, page: Any) -> None:
    page.goto(f"{live.url}/kiosk/{KIDS}?lang=en")
    assert page.locator("#notice [data-key='minors'], #notice-full [data-key='minors']").count() == 1
    page.goto(f"{live.url}/kiosk/{KIDS}/consent?lang=en")
    page.fill("#subject_ref", "child-1")
    page.fill("#birth_date", _years_ago(14, days=1))  # 13 years 364 days: still a child (M-7.1)
    assert page.locator("#guardian").is_visible() and page.locator("#self-consent").is_hidden()
    page.click("#submit-consent")
    assert page.locator("#error").get_attribute("data-code") == "guardian_consent_missing"
    assert page.locator("#guardian").is_visible()
    page.fill("#guardian_ref", "G-110105198001010000")
    page.select_option("#guardian_relationship", "parent")
    assert not page.locator("#guardian_consent").is_checked()
    page.check("#guardian_consent")
    page.click("#submit-consent")
    code = page.locator("#receipt-code").inner_text()
    assert code.startswith("FGR-")
    page.goto(f"{live.url}/self-service?lang=en")
    page.fill("#receipt_code", code)
    page.click("#look-up")
    assert "a guardian" in page.locator("#held").inner_text()

    # A 14-year-old is an adult here; a child at a desk that takes no children is sent to the alternative.
    page.goto(f"{live.url}/kiosk/{KIDS}/consent")
    page.fill("#birth_date", _years_ago(14))
    assert page.locator("#guardian").is_hidden() and page.locator("#self-consent").is_visible()
    page.goto(f"{live.url}/kiosk/{HOTEL}/consent")
    page.fill("#subject_ref", "child-2")
    page.fill("#birth_date", _years_ago(9))
    assert page.locator("#minors-blocked").is_visible()
    page.click("#submit-consent")
    assert page.locator("#error").get_attribute("data-code") == "minors_not_allowed"
    assert page.locator("#refuse").is_visible()


def test_future_birth_date_and_inactive_deployment_are_explained(live: Live, page: Any) -> None:
    page.goto(f"{live.url}/kiosk/{HOTEL}/consent")
    page.fill("#subject_ref", "guest-future")
    page.fill("#birth_date", "2999-01-01")
    page.check("#face_consent")
    page.click("#submit-consent")
    assert page.locator("#error").get_attribute("data-code") == "birth_date_future"
    assert "出生日期晚于今天" in page.locator("#error").inner_text()
    response = page.goto(f"{live.url}/kiosk/closed-desk")  # a page, not JSON, for a person (issue 16 item 5)
    assert response.status == 403 and response.headers["content-type"].startswith("text/html")
    assert response.headers["x-problem-code"] == "deployment_inactive" and "此处暂不提供该服务" in page.inner_text("h1")
