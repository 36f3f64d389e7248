"""README screenshots of the person's side (issue 16): the kiosk step by step and the public notice behind a sign.

    .venv/bin/python scripts/screenshots.py            # writes docs/screenshots/kiosk-step-*.png, notice-*.png

The real app on a throwaway data directory with the hotel and metro example manifests, served by uvicorn
on a free port, photographed by Playwright in Debian's Chromium ($FACEGATE_CHROMIUM overrides the path).
No face is captured: the camera steps are shown before the camera turns on.
"""

from __future__ import annotations

import argparse
import os
import socket
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "screenshots"
HOTEL, METRO = "westlake-hotel-front-desk", "line2-people-square-security"


def _serve(app: Any) -> tuple[str, Any]:
    import uvicorn

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off"))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    return f"http://127.0.0.1:{port}", server


def _site(data_dir: Path) -> tuple[Any, list[dict[str, str]], str, Any]:
    from facegate.bootstrap import build_context
    from facegate.services.access import create_api_key
    from facegate.services.deployments import apply_manifest_text
    from facegate.settings import Settings
    from facegate.web.app import create_app
    from facegate.web.kiosk.pairing import cookie_name, pairing_value

    ctx = build_context(Settings(env="test", data_dir=data_dir, examples_dir=None))
    for name in ("hotel-front-desk-check-in", "metro-station-signed"):
        apply_manifest_text(ctx.services, (ROOT / "examples" / f"{name}.yaml").read_text(encoding="utf-8"))
    url, server = _serve(create_app(ctx))
    key = create_api_key(ctx.services, "screenshot-screen", "device", (HOTEL,)).key
    cookies = [{"name": cookie_name(HOTEL), "value": pairing_value(ctx.services, HOTEL, key.key_id)[0],
                "url": f"{url}/kiosk/{HOTEL}"}]
    return ctx, cookies, url, server


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="facegate-shots-") as tmp:
        ctx, cookies, url, server = _site(Path(tmp) / "data")
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=os.environ.get("FACEGATE_CHROMIUM", "/usr/bin/chromium"),
                                            args=["--headless", "--no-sandbox", "--disable-gpu"])
                _kiosk(browser, url, cookies, args.out)
                _notice(browser, url, args.out)
                browser.close()
        finally:
            server.should_exit = True
            ctx.close()
    print(f"screenshots written to {args.out}")


if __name__ == "__main__":
    main()
