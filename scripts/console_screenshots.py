"""README screenshots of the console (issue 16): a clerk's subject search, metadata only, with a lock to lift.

    .venv/bin/python scripts/console_screenshots.py     # writes docs/screenshots/console-subject-search*.png

The real app and the real face engine on a throwaway data directory with the hotel example: one guest
consents and is enrolled from the face_recognition test photo (fetched into .cache/ by
scripts/fetch_test_images.py), then five failed matches lock the guest's face path. A clerk's operator key
signs in and looks the guest up. Served and photographed by scripts/shots.py.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from shots import HOTEL, ROOT, run

PURPOSE = "check_in"


def _site(data_dir: Path) -> tuple[Any, str]:
    """The app's context with the hotel, a locked guest, and a clerk's console session cookie value."""
    from fetch_test_images import fetch

    from facegate.bootstrap import build_context
    from facegate.services import consent, faces
    from facegate.services.access import create_api_key
    from facegate.services.deployments import apply_manifest_text, get_deployment
    from facegate.settings import Settings
    from facegate.web.console.access import session_value

    photos = fetch()
    ctx = build_context(Settings(env="test", data_dir=data_dir, examples_dir=None))
    s = ctx.services
    apply_manifest_text(s, (ROOT / "examples" / "hotel-front-desk-check-in.yaml").read_text(encoding="utf-8"))
    notice = get_deployment(s, HOTEL).notice_version
    consent.give_consent(s, consent.ConsentRequest(HOTEL, "R-20250926-0042", PURPOSE, notice, age_attested_by="desk"))
    faces.enroll(s, HOTEL, "R-20250926-0042", PURPOSE, (photos / "obama.jpg").read_bytes())
    for _ in range(5):
        faces.verify(s, HOTEL, "R-20250926-0042", PURPOSE, (photos / "biden.jpg").read_bytes())
    clerk = create_api_key(s, "front-desk clerk", "operator", ("*",)).key
    return ctx, session_value(s, clerk.key_id)


def _search(browser: Any, url: str, session: str, out: Path) -> None:
    from facegate.web.console.access import COOKIE

    cookie = {"name": COOKIE, "value": session, "url": url}
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


if __name__ == "__main__":
    run(__doc__, _site, _search)
