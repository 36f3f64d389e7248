"""Issue 16 over HTTP: upload refused on the server where only the camera may be used, pages for browsers,
the public notice behind a sign, and the guest's state that never reaches the next guest."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from facegate.bootstrap import AppContext
from facegate.web.app import create_app
from tests.browser.kiosk_setup import HOTEL, hotel_manifest, install
from tests.integration.test_person_http import _consent, pair

UNATTENDED = "westlake-self-check-in"
HTML = {"accept": "text/html,application/xhtml+xml"}


@pytest.fixture
def client(fake_ctx: AppContext) -> Iterator[TestClient]:
    install(fake_ctx, hotel_manifest())
    install(fake_ctx, hotel_manifest(id=UNATTENDED, scenario={"unattended": True}))
    with TestClient(create_app(fake_ctx)) as c:
        pair(c, fake_ctx, HOTEL, UNATTENDED)
        yield c


def _token(c: TestClient, d: str, kind: str) -> str:
    return str(c.get(f"/kiosk/{d}/form-token", params={"kind": kind}).json()["token"])


def test_an_unattended_kiosk_refuses_an_uploaded_photo_on_the_server(client: TestClient) -> None:
    """M-14.5: the photo file is refused by a stable code, not only hidden on the page; the camera's frame passes."""
    page = client.get(f"/kiosk/{UNATTENDED}/registered").text
    assert 'type="file"' not in page and 'id="camera-only-verify"' not in page  # live check only: no photo path
    html = client.get(f"/kiosk/{UNATTENDED}/consent").text
    form = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', html))
    form.update({"subject_ref": "guest-u", "birth_date": "1990-01-01", "face_consent": "yes"})
    capture = client.post(f"/kiosk/{UNATTENDED}/consent", data=form)
    assert 'type="file"' not in capture.text and 'id="camera-only-enroll"' in capture.text
    for source in ({}, {"x-capture-source": "upload"}):
        r = client.post(f"/kiosk/{UNATTENDED}/enroll", content=b"face:guest-u:1",
                        headers={"x-form-token": _token(client, UNATTENDED, "capture"), **source})
        assert r.status_code == 403 and r.json()["code"] == "photo_upload_not_allowed"
        assert r.json()["article_id"] == "M-14.5"
    ok = client.post(f"/kiosk/{UNATTENDED}/enroll", content=b"face:guest-u:1",
                     headers={"x-form-token": _token(client, UNATTENDED, "capture"), "x-capture-source": "camera"})
    assert ok.status_code == 201, ok.text  # the receipt came from the guest's sealed flow, not a header
    # Where staff watch the capture, a file is still fine.
    _, attended = _consent(client, "guest-a")
    assert 'type="file"' in attended.text  # type: ignore[attr-defined]


def test_browsers_get_pages_and_api_clients_problem_json(fake_ctx: AppContext) -> None:
    install(fake_ctx, hotel_manifest())
    with TestClient(create_app(fake_ctx)) as c:
        unpaired = c.get(f"/kiosk/{HOTEL}?lang=en", headers=HTML, follow_redirects=False)
        assert unpaired.status_code == 303 and unpaired.headers["location"] == f"/kiosk/{HOTEL}/pair?lang=en"
        assert c.get(f"/kiosk/{HOTEL}").json()["code"] == "kiosk_not_paired"  # API clients: unchanged
        console = c.get("/console", headers=HTML, follow_redirects=False)
        assert console.status_code == 303 and console.headers["location"] == "/console/login"
        missing = c.get("/no/such/page?lang=en", headers=HTML)
        assert missing.status_code == 404 and missing.headers["content-type"].startswith("text/html")
        text = missing.text
        assert text.index("There is no page at this address") < text.index("页面不存在")  # English first in English
        zh = c.get("/no/such/page?lang=zh", headers=HTML).text
        assert zh.index("页面不存在") < zh.index("There is no page at this address")
        assert c.get("/v1/no/such", headers=HTML).headers["content-type"] == "application/problem+json"


def test_the_public_notice_needs_no_pairing_and_shows_only_running_deployments(fake_ctx: AppContext) -> None:
    install(fake_ctx, hotel_manifest())
    with TestClient(create_app(fake_ctx)) as c:
        page = c.get(f"/notice/{HOTEL}?lang=en", headers=HTML)
        assert page.status_code == 200
        for heading in ("Who processes your face information", "How long we keep it",
                        "If you do not want to use your face", "Your rights and how to use them"):
            assert heading in page.text
        assert "Contact:" in page.text and "<form" not in page.text  # read-only
        gone = c.get("/notice/no-such-desk", headers=HTML)
        assert gone.status_code == 404 and "此地址没有公开的告知书" in gone.text


def test_finish_clears_the_guest_so_the_next_one_starts_clean(client: TestClient) -> None:
    _, capture = _consent(client, "guest-1")
    code = re.search(r'id="receipt-code">([^<]+)<', capture.text).group(1)  # type: ignore[attr-defined]
    again = client.get(f"/kiosk/{HOTEL}/capture?lang=en")  # the language switch keeps the receipt
    assert code in again.text and 'lang="en"' in again.text
    client.post(f"/kiosk/{HOTEL}/finish")
    after = client.get(f"/kiosk/{HOTEL}/capture")  # the back button after "Finish": no receipt
    assert code not in after.text and after.url.path == f"/kiosk/{HOTEL}"


def test_the_guest_flow_cannot_be_forged_or_carried_to_another_kiosk(client: TestClient) -> None:
    """The receipt lives in a sealed cookie: a changed byte, or a flow from another screen, shows nothing."""
    from facegate.web.kiosk.flow import cookie_name

    _, capture = _consent(client, "guest-seal")
    code = re.search(r'id="receipt-code">([^<]+)<', capture.text).group(1)  # type: ignore[attr-defined]
    sealed = client.cookies.get(cookie_name(HOTEL), path=f"/kiosk/{HOTEL}")
    assert sealed and code not in sealed  # nothing readable in the browser
    client.cookies.set(cookie_name(UNATTENDED), sealed, path=f"/kiosk/{UNATTENDED}")
    moved = client.get(f"/kiosk/{UNATTENDED}/capture")
    assert code not in moved.text and moved.url.path == f"/kiosk/{UNATTENDED}"
    flipped = sealed[:10] + ("A" if sealed[10] != "A" else "B") + sealed[11:]
    domain = next(c.domain for c in client.cookies.jar if c.name == cookie_name(HOTEL))
    client.cookies.set(cookie_name(HOTEL), flipped, domain=domain, path=f"/kiosk/{HOTEL}")  # replaces it
    forged = client.get(f"/kiosk/{HOTEL}/capture")
    assert code not in forged.text and forged.url.path == f"/kiosk/{HOTEL}"


@pytest.mark.parametrize(("scenario", "declared", "allowed"), [
    ({"venue_type": "hotel"}, None, True),
    ({"venue_type": "hotel"}, False, False),
    ({"venue_type": "hotel", "unattended": True}, True, False),  # never where nobody watches
    ({"venue_type": "online_service"}, None, False),
])
def test_where_a_photo_file_may_stand_in_for_the_camera(scenario: dict[str, object], declared: bool | None,
                                                        allowed: bool) -> None:
    from facegate.domain.liveness import is_upload_allowed

    security = {} if declared is None else {"photo_upload": declared}
    assert is_upload_allowed({"scenario": scenario, "security": security}) is allowed
