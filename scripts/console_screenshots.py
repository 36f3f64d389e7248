"""README screenshots of the console (issue 16): a clerk's subject search, metadata only, with a lock to lift.

    .venv/bin/python scripts/console_screenshots.py     # writes docs/screenshots/console-subject-search*.png

The real app and the real face engine on a throwaway data directory with the hotel example: one guest
consents and is enrolled from the face_recognition test photo (fetched into .cache/ by
scripts/fetch_test_images.py), then five failed matches lock the guest's face path. A clerk's operator key
signs in and looks the guest up. Photographed by Playwright in Debian's Chromium ($FACEGATE_CHROMIUM).
"""

from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path
from typing import Any

from screenshots import HOTEL, OUT, ROOT, _serve  # the kiosk screenshots' server helper

PURPOSE = "check_in"


def _site(data_dir: Path) -> tuple[Any, str, Any, dict[str, str]]:
    from fetch_test_images import fetch

    from facegate.bootstrap import build_context
    from facegate.services import consent, faces
    from facegate.services.access import create_api_key
    from facegate.services.deployments import apply_manifest_text, get_deployment
    from facegate.settings import Settings
    from facegate.web.app import create_app
    from facegate.web.console.access import COOKIE, session_value

    photos = fetch()
    ctx = build_context(Settings(env="test", data_dir=data_dir, examples_dir=None))
    s = ctx.services
    apply_manifest_text(s, (ROOT / "examples" / "hotel-front-desk-check-in.yaml").read_text(encoding="utf-8"))
    notice = get_deployment(s, HOTEL).notice_version
    consent.give_consent(s, consent.ConsentRequest(HOTEL, "R-20250926-0042", PURPOSE, notice, age_attested_by="desk"))
    faces.enroll(s, HOTEL, "R-20250926-0042", PURPOSE, (photos / "obama.jpg").read_bytes())
    for _ in range(5):
        faces.verify(s, HOTEL, "R-20250926-0042", PURPOSE, (photos / "biden.jpg").read_bytes())
    url, server = _serve(create_app(ctx))
    clerk = create_api_key(s, "front-desk clerk", "operator", ("*",)).key
    return ctx, url, server, {"name": COOKIE, "value": session_value(s, clerk.key_id), "url": url}


def _search(browser: Any, url: str, cookie: dict[str, str], out: Path) -> None:
    for lang, suffix in (("zh", ""), ("en", "-en")):
        context = browser.new_context(viewport={"width": 1100, "height": 900})
        context.add_cookies([cookie])
        page = context.new_page()
        page.goto(f"{url}/console/people?lang={lang}")
        page.select_option("#p-deployment", HOTEL)
        page.fill("#p-ref", "R-20250926-0042")
        page.click("#find")
        page.fill("#lift-reason", "已核对身份证 / ID card checked at the desk")
        page.screenshot(path=str(out / f"console-subject-search{suffix}.png"), full_page=True)
        context.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="facegate-shots-") as tmp:
        ctx, url, server, cookie = _site(Path(tmp) / "data")
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=os.environ.get("FACEGATE_CHROMIUM", "/usr/bin/chromium"),
                                            args=["--headless", "--no-sandbox", "--disable-gpu"])
                _search(browser, url, cookie, args.out)
                browser.close()
        finally:
            server.should_exit = True
            ctx.close()
    print(f"screenshots written to {args.out}")


if __name__ == "__main__":
    main()
