"""facegate.client against the real server over a real socket: consent, enroll, verify, identify, withdraw, delete."""

from __future__ import annotations

import asyncio
import threading
import io
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from facegate.bootstrap import AppContext
from facegate.client import AsyncClient, Client, ImageRejected, NotFound, Refused, Unauthorized, Unavailable
from facegate.services import access
from facegate.services.deployments import apply_manifest_text
from facegate.web.app import create_app
from tests.browser.server import free_port, serve_app

ROOT = Path(__file__).resolve().parents[2]
HOTEL, P = "westlake-hotel-front-desk", "check_in"
METRO, SECURITY = "line2-people-square-security", "public_security"


def _capture(failures: list[BaseException], fn: Callable[[], object]) -> None:
    try:
        fn()
    except BaseException as exc:  # noqa: BLE001 - re-raised in the test's own thread
        failures.append(exc)


@pytest.fixture
def live(real_ctx: AppContext) -> Iterator[tuple[str, str]]:
    for name in ("hotel-front-desk-check-in.yaml", "metro-station-signed.yaml"):
        path = ROOT / "examples" / name
        apply_manifest_text(real_ctx.services, path.read_text(encoding="utf-8"), str(path), actor="test")
    token = access.create_api_key(real_ctx.services, "client-test", "admin", ("*",), actor="test").token
    with serve_app(create_app(real_ctx)) as url:
        yield url, token


def test_sync_client_through_the_whole_life_of_a_consent(live: tuple[str, str], tmp_path: Path,
                                                          face_images: dict[str, bytes]) -> None:
    url, token = live
    photo = tmp_path / "obama2.jpg"
    photo.write_bytes(face_images["obama2.jpg"])
    with Client(url, api_key=token) as fg:
        d = fg.deployment(HOTEL)
        assert d.mode == "1:1" and P in d.purposes and d.alternatives
        with pytest.raises(Refused) as no_consent:
            fg.enroll(HOTEL, "guest-1", P, face_images["obama.jpg"])
        assert no_consent.value.code == "consent_missing" and no_consent.value.article_id == "M-6.1"
        assert no_consent.value.decision.alternatives and not no_consent.value.decision.allowed

        receipt = fg.give_consent(HOTEL, "guest-1", P, d.notice_version, age_attested_by="desk-3")
        assert receipt.receipt_code and receipt.purpose == P
        enrolled = fg.enroll(HOTEL, "guest-1", P, face_images["obama.jpg"])
        assert enrolled.decision.allowed and enrolled.template_id
        match = fg.verify(HOTEL, "guest-1", P, photo)  # a path works as well as bytes
        assert match.is_match and match.distance < match.threshold
        with io.BytesIO(face_images["biden.jpg"]) as other:
            assert fg.verify(HOTEL, "guest-1", P, other).is_match is False

        with pytest.raises(ImageRejected) as bad:
            fg.verify(HOTEL, "guest-1", P, b"not an image")
        assert bad.value.status == 422 and bad.value.code in ("image_undecodable", "no_face")
        with pytest.raises(NotFound) as unknown:
            fg.deployment("nope")
        assert unknown.value.code == "deployment_unknown"

        withdrawn = fg.withdraw_consent(HOTEL, "guest-1")
        assert withdrawn.withdrawn == 1 and withdrawn.templates_deleted == 1
        with pytest.raises(Refused) as after:
            fg.verify(HOTEL, "guest-1", P, photo)
        assert after.value.code == "consent_withdrawn" and after.value.article_id == "M-6.3"
        deleted = fg.delete_subject(HOTEL, "guest-1")
        assert deleted.receipt_code and deleted.scope == "deployment"
        with pytest.raises(NotFound) as gone:
            fg.held(HOTEL, "guest-1")
        assert gone.value.code == "subject_unknown"

    with Client(url, api_key="fg_0000000000000000_forged") as stranger, pytest.raises(Unauthorized):
        stranger.deployment(HOTEL)
    with Client(f"http://127.0.0.1:{free_port()}", api_key=token) as nowhere, pytest.raises(Unavailable):
        nowhere.deployment(HOTEL)


def test_async_client_identifies_and_multipart_uploads_are_accepted(live: tuple[str, str],
                                                                    face_images: dict[str, bytes]) -> None:
    url, token = live

    async def scenario() -> None:
        async with AsyncClient(url, api_key=token, upload="multipart") as fg:
            notice = (await fg.deployment(METRO)).notice_version
            for ref in ("watch-1", "watch-2"):  # a law is the basis; the notice is still recorded (M-5.1)
                told = await fg.record_notice(METRO, ref, SECURITY, notice, age_attested_by="officer-7")
                assert told.receipt_code
            enrolled = await fg.enroll(METRO, "watch-1", SECURITY, face_images["obama.jpg"])
            assert enrolled.decision.allowed
            found = await fg.identify(METRO, SECURITY, face_images["obama3.jpg"])
            assert [c.subject_ref for c in found.candidates] == ["watch-1"] and found.outcome == "identified"
            stranger = await fg.identify(METRO, SECURITY, face_images["biden.jpg"])
            assert stranger.candidates == ()
            deleted = await fg.delete_subject(METRO, "watch-1")
            assert deleted.templates_deleted == 1

    # A fresh thread has no event loop: Playwright's sync API may have left one running in this one.
    failures: list[BaseException] = []
    worker = threading.Thread(target=lambda: _capture(failures, lambda: asyncio.run(scenario())))
    worker.start()
    worker.join()
    if failures:
        raise failures[0]

    # What most HTTP clients send: a form with a file field (here httpx's own files=, field "file").
    headers = {"Authorization": f"Bearer {token}"}
    params = {"purpose": SECURITY, "subject_ref": "watch-2"}
    form = httpx.post(f"{url}/v1/deployments/{METRO}/enroll", params=params, headers=headers,
                      files={"file": ("me.jpg", face_images["obama.jpg"], "image/jpeg")}, timeout=60)
    assert form.status_code == 201, form.text
    two = httpx.post(f"{url}/v1/deployments/{METRO}/enroll", params=params, headers=headers, timeout=60,
                     files={"a": ("a.jpg", face_images["obama.jpg"]), "b": ("b.jpg", face_images["biden.jpg"])})
    assert two.status_code == 422 and two.json()["code"] == "multipart_ambiguous"
    broken = httpx.post(f"{url}/v1/deployments/{METRO}/enroll", params=params, headers={
        **headers, "Content-Type": "multipart/form-data"}, content=b"--x\r\n", timeout=60)
    assert broken.status_code == 400 and broken.json()["code"] == "multipart_invalid"
