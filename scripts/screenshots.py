"""README screenshots of the person's side (issue 16): the kiosk step by step and the public notice behind a sign.

    .venv/bin/python scripts/screenshots.py            # writes docs/screenshots/kiosk-step-*.png, notice-*.png

The real app on a throwaway data directory with the hotel and metro example manifests, served and
photographed by scripts/shots.py (a free port, Playwright in Debian's Chromium).
No face is captured: the camera steps are shown before the camera turns on.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from shots import HOTEL, METRO, ROOT, run


def _site(data_dir: Path) -> tuple[Any, str]:
    """The app's context with both examples, and the pairing cookie's value for the hotel's screen."""
    from facegate.bootstrap import build_context
    from facegate.services.access import create_api_key
    from facegate.services.deployments import apply_manifest_text
    from facegate.settings import Settings
    from facegate.web.kiosk.pairing import pairing_value

    ctx = build_context(Settings(env="test", data_dir=data_dir, examples_dir=None))
    for name in ("hotel-front-desk-check-in", "metro-station-signed"):
        apply_manifest_text(ctx.services, (ROOT / "examples" / f"{name}.yaml").read_text(encoding="utf-8"))
    key = create_api_key(ctx.services, "screenshot-screen", "device", (HOTEL,)).key
    return ctx, pairing_value(ctx.services, HOTEL, key.key_id)[0]


def _shoot(browser: Any, url: str, pairing: str, out: Path) -> None:
    from facegate.web.kiosk.pairing import cookie_name

    _kiosk(browser, url, [{"name": cookie_name(HOTEL), "value": pairing, "url": f"{url}/kiosk/{HOTEL}"}], out)
    _notice(browser, url, out)


def _kiosk(browser: Any, url: str, cookies: list[dict[str, str]], out: Path) -> None:
    context = browser.new_context(viewport={"width": 1080, "height": 1350}, locale="zh-CN")
    context.add_cookies(cookies)
    page = context.new_page()
    page.goto(f"{url}/kiosk/{HOTEL}")
    page.screenshot(path=str(out / "kiosk-step-1-notice.png"), full_page=True)
    page.click("#notice-next")
    page.screenshot(path=str(out / "kiosk-step-2-choice.png"), full_page=True)
    page.click("#choose-face")
    page.fill("#birth_date", "1988-08-08")
    page.check("#face_consent")
    page.screenshot(path=str(out / "kiosk-step-3-consent.png"), full_page=True)
    page.click("#submit-consent")
    page.screenshot(path=str(out / "kiosk-step-4-receipt.png"), full_page=True)
    page.click("#lang-switch")
    page.screenshot(path=str(out / "kiosk-step-4-receipt-en.png"), full_page=True)
    page.click("#skip-capture")
    page.screenshot(path=str(out / "kiosk-step-5-done.png"), full_page=True)
    context.close()


def _notice(browser: Any, url: str, out: Path) -> None:
    phone = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True)
    page = phone.new_page()  # never paired: what a passer-by sees after scanning the sign
    for lang in ("zh", "en"):
        page.goto(f"{url}/notice/{METRO}?lang={lang}")
        page.screenshot(path=str(out / f"notice-{lang}.png"), full_page=True)
    phone.close()


if __name__ == "__main__":
    run(__doc__, _site, _shoot)
