"""The live check in a real Chromium with a fake camera fed from a video made here (issue 18, M-14.5).

The video is built at test time from a test photo (tests/liveness_media.py) into
pytest's tmp_path, never committed: a straight-ahead lead, then the asked head
movements, each held while the kiosk captures. A still photo, a replay of an
earlier sequence, frames out of order and frames after expiry must fail with
their codes; the live sequence must pass and match.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from facegate.bootstrap import build_context
from facegate.domain.liveness import Step
from facegate.services.consent import ConsentRequest, give_consent
from facegate.services.faces import enroll
from tests import liveness_media as lm
from tests.browser.conftest import Live, _pair_all, launch
from tests.browser.kiosk_setup import PURPOSE, hotel_manifest, install
from tests.browser.server import screenshot, serve_app
from tests.conftest import make_settings

pytestmark = pytest.mark.browser

DESK = "westlake-self-check-in"
ORDER = (Step.CENTRE, Step.LEFT, Step.NOD, Step.RIGHT, Step.LEFT)
FPS = 10


@pytest.fixture(scope="module")
def face(real_engine: Any, face_images: dict[str, bytes]) -> tuple[np.ndarray, np.ndarray]:
    return lm.face_frame(real_engine, face_images["obama.jpg"])


def _live_video(face: tuple[np.ndarray, np.ndarray], path: Path) -> Path:
    """3 s straight ahead, then each move held 1.3 s with 0.5 s straight between, then 6 s straight."""
    frame, points = face
    rng = np.random.default_rng(11)
    posed = {m: [lm.turn(frame, points, *where, nose_depth=0.6) for where in wheres]
             for m, wheres in {"left": [(30, 0), (35, 0)], "right": [(-30, 0), (-35, 0)],
                               "nod": [(0, -24), (0, -28)]}.items()}

    def noisy(img: np.ndarray) -> np.ndarray:
        img = np.roll(img, (int(rng.integers(-2, 3)), int(rng.integers(-2, 3))), axis=(0, 1))
        return np.clip(img + rng.normal(0, 2.0, img.shape), 0, 255).astype(np.uint8)

    frames = [noisy(frame) for _ in range(3 * FPS)]
    for step in ORDER[1:]:
        frames += [noisy(posed[step.value][min(i // 4, 1)]) for i in range(13)]
        frames += [noisy(frame) for _ in range(5)]
    frames += [noisy(frame) for _ in range(6 * FPS)]
    return lm.write_y4m(frames, path, FPS)


@pytest.fixture
def desk(tmp_path: Path, real_engine: Any, face_images: dict[str, bytes]) -> Iterator[Live]:
    """An unattended self check-in desk (liveness required by default), one enrolled guest."""
    ctx = build_context(make_settings(tmp_path / "srv"), engine=real_engine)
    m = hotel_manifest(id=DESK, name={"zh": "西湖云栖酒店自助入住", "en": "Westlake Yunqi self check-in"},
                       scenario={"unattended": True})
    d = install(ctx, m)
    assert d.liveness == "required"
    give_consent(ctx.services, ConsentRequest(d.id, "guest-7", PURPOSE, d.notice_version, age_attested_by="desk"))
    assert enroll(ctx.services, d.id, "guest-7", PURPOSE, face_images["obama2.jpg"]).decision.allowed
    ctx.services.liveness_steps = lambda n: ORDER  # the video was made for this order
    with serve_app(__import__("facegate.web.app", fromlist=["create_app"]).create_app(ctx)) as url:
        yield Live(url, ctx, _pair_all(ctx, url))
    ctx.close()


def _camera_page(playwright: Any, video: Path, live: Live) -> tuple[Any, Any]:
    browser = launch(playwright, "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
                     f"--use-file-for-fake-video-capture={video}")
    context = browser.new_context(viewport={"width": 900, "height": 1200}, locale="zh-CN")
    context.add_cookies(list(live.cookies))
    page = context.new_page()
    page.set_default_timeout(60_000)
    return browser, page


def _check(page: Any, live: Live) -> str:
    page.goto(f"{live.url}/kiosk/{DESK}/registered")
    page.fill("#verify_ref", "guest-7")
    page.click("#live-start")
    page.locator('#result-live[data-code]:not([data-code=""])').wait_for()
    return str(page.locator("#result-live").get_attribute("data-code"))


def test_live_sequence_passes_and_replay_reorder_and_late_fail(playwright: Any, desk: Live, face: Any,
                                                               tmp_path: Path) -> None:
    browser, page = _camera_page(playwright, _live_video(face, tmp_path / "live.y4m"), desk)
    try:
        page.goto(f"{desk.url}/kiosk/{DESK}/registered")
        assert page.locator("#capture-verify").count() == 0  # required: no plain photo path
        assert page.locator("#live-start").is_visible() and page.locator("#verify-alternative").is_visible()
        sent: list[str] = []
        page.on("request", lambda r: sent.append(r.post_data or "") if "/verify/live" in r.url else None)
        assert _check(page, desk) == "match"
        screenshot(page, "kiosk-liveness-match")
        recorded = json.loads(sent[-1])
        assert [f["step"] for f in recorded["frames"]] == sorted(f["step"] for f in recorded["frames"])

        # Replay: the earlier sequence's frames sent again under a fresh challenge.
        page.route("**/verify/live?*", lambda route: route.continue_(post_data=json.dumps(recorded)))
        assert _check(page, desk) == "liveness_replayed"
        page.unroute("**/verify/live?*")

        # Out of order: this attempt's own fresh frames, sent backwards.
        def backwards(route: Any) -> None:
            body = json.loads(route.request.post_data)
            route.continue_(post_data=json.dumps({"frames": body["frames"][::-1]}))

        page.route("**/verify/live?*", backwards)
        assert _check(page, desk) == "liveness_out_of_order"
        page.unroute("**/verify/live?*")

        # Late: the challenge expires before the capture ends (a 3 s life; the capture takes 10 s).
        rules = desk.ctx.services.liveness_rules
        desk.ctx.services.liveness_rules = replace(rules, ttl_s=3)
        assert _check(page, desk) == "liveness_expired"
        desk.ctx.services.liveness_rules = rules
        screenshot(page, "kiosk-liveness-expired")
    finally:
        browser.close()


def test_a_still_photo_on_the_camera_fails(playwright: Any, desk: Live, face: Any, tmp_path: Path) -> None:
    frame, _ = face
    still = lm.write_y4m([frame] * (20 * FPS), tmp_path / "still.y4m", FPS)
    browser, page = _camera_page(playwright, still, desk)
    try:
        assert _check(page, desk) == "liveness_no_motion"
        assert "活体" in page.locator("#liveness").inner_text()
        assert page.locator("#verify-alternative").is_visible()  # the way through without a face stays open
    finally:
        browser.close()
