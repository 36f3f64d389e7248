"""The issue's scenario over HTTP (FastAPI TestClient), real engine and photos, SQLite."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from facegate.bootstrap import build_context
from facegate.domain.model import Mode
from facegate.services.access import create_api_key
from facegate.web.app import create_app
from tests.conftest import install_deployment, make_settings

P = "identity_verification"


@pytest.fixture
def client(tmp_path: Path, real_engine, clock) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    ctx = build_context(make_settings(tmp_path), clock=clock, engine=real_engine)
    install_deployment(ctx, mode=Mode.IDENTIFY)
    install_deployment(ctx, id="closed-desk", mode=Mode.VERIFY)
    from facegate.services.deployments import set_active
    set_active(ctx.services, "closed-desk", False)
    admin = create_api_key(ctx.services, "test-admin", "admin", ("*",))
    with TestClient(create_app(ctx), headers={"Authorization": f"Bearer {admin.token}"}) as c:
        yield c
    ctx.close()


def _consent(client: TestClient, ref: str, deployment: str = "hotel-frontdesk") -> dict:  # type: ignore[type-arg]
    notice = client.get(f"/v1/deployments/{deployment}").json()["notice_version"]
    r = client.post("/v1/consents", json={"deployment_id": deployment, "subject_ref": ref, "purpose": P,
                                          "notice_version": notice})
    assert r.status_code == 201, r.text
    return r.json()


def _post_image(client: TestClient, op: str, image: bytes, **params: str):  # type: ignore[no-untyped-def]
    return client.post(f"/v1/deployments/hotel-frontdesk/{op}", params={"purpose": P, **params}, content=image,
                       headers={"content-type": "image/jpeg"})


def test_enroll_verify_identify_delete_over_http(client: TestClient, face_images: dict[str, bytes]) -> None:
    receipt = _consent(client, "guest-9")
    assert receipt["receipt_code"].startswith("FGR-")
    assert _post_image(client, "enroll", face_images["obama.jpg"], subject_ref="guest-9").status_code == 201

    match = _post_image(client, "verify", face_images["obama2.jpg"], subject_ref="guest-9").json()
    assert match["allowed"] and match["is_match"]
    nomatch = _post_image(client, "verify", face_images["biden.jpg"], subject_ref="guest-9").json()
    assert nomatch["allowed"] and not nomatch["is_match"]
    found = _post_image(client, "identify", face_images["obama3.jpg"]).json()
    assert [c["subject_ref"] for c in found["candidates"]] == ["guest-9"]

    held = client.get("/v1/deployments/hotel-frontdesk/subjects/guest-9").json()
    assert len(held["templates"]) == 1 and "sealed" not in str(held)
    deleted = client.delete("/v1/deployments/hotel-frontdesk/subjects/guest-9").json()
    assert deleted["key_destroyed"] is True
    after = _post_image(client, "verify", face_images["obama2.jpg"], subject_ref="guest-9")
    assert after.status_code == 403 and after.json()["code"] == "consent_missing"


def test_refusals_are_problem_json_with_article_and_alternatives(client: TestClient, face_images: dict[str, bytes]) -> None:
    r = _post_image(client, "verify", face_images["obama2.jpg"], subject_ref="nobody")
    assert r.status_code == 403
    assert r.headers["content-type"] == "application/problem+json"
    body = r.json()
    assert body["code"] == "consent_missing" and body["article_id"] == "M-6.1"
    assert body["decision"]["alternatives"][0]["code"] == "staff_check"

    _consent(client, "guest-3")
    undeclared = client.post("/v1/deployments/hotel-frontdesk/verify",
                             params={"purpose": "marketing", "subject_ref": "guest-3"}, content=face_images["obama.jpg"])
    assert undeclared.json()["code"] == "purpose_undeclared" and undeclared.json()["article_id"] == "M-4.1"

    inactive = client.post("/v1/deployments/closed-desk/verify", params={"purpose": P, "subject_ref": "guest-3"},
                           content=face_images["obama.jpg"])
    assert inactive.status_code == 403 and inactive.json()["code"] == "deployment_inactive"

    _post_image(client, "enroll", face_images["obama.jpg"], subject_ref="guest-3")
    client.post("/v1/consents/withdraw", json={"deployment_id": "hotel-frontdesk", "subject_ref": "guest-3"})
    withdrawn = _post_image(client, "verify", face_images["obama2.jpg"], subject_ref="guest-3")
    assert withdrawn.json()["code"] == "consent_withdrawn" and withdrawn.json()["article_id"] == "M-6.3"


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        (b"", "image_empty"),
        (b"not an image at all", "image_undecodable"),
    ],
)
def test_bad_images_get_stable_codes(client: TestClient, payload: bytes, code: str) -> None:
    _consent(client, "guest-4")
    r = _post_image(client, "enroll", payload, subject_ref="guest-4")
    assert r.status_code == 422 and r.json()["code"] == code


def test_truncated_two_faces_and_bomb(client: TestClient, face_images: dict[str, bytes]) -> None:
    import io

    from PIL import Image

    _consent(client, "guest-5")
    truncated = face_images["obama.jpg"][: len(face_images["obama.jpg"]) // 2]
    assert _post_image(client, "enroll", truncated, subject_ref="guest-5").json()["code"] == "image_corrupt"

    left = Image.open(io.BytesIO(face_images["obama.jpg"])).convert("RGB").resize((400, 500))
    right = Image.open(io.BytesIO(face_images["biden.jpg"])).convert("RGB").resize((400, 909)).crop((0, 0, 400, 500))
    both = Image.new("RGB", (800, 500))
    both.paste(left, (0, 0))
    both.paste(right, (400, 0))
    buf = io.BytesIO()
    both.save(buf, "JPEG")
    assert _post_image(client, "enroll", buf.getvalue(), subject_ref="guest-5").json()["code"] == "multiple_faces"

    bomb = io.BytesIO()
    Image.new("L", (10_000, 10_000)).save(bomb, "PNG")  # 100 megapixels, ~100 KB compressed
    r = _post_image(client, "enroll", bomb.getvalue(), subject_ref="guest-5")
    assert r.status_code == 422 and r.json()["code"] == "image_too_many_pixels"

    tiny = io.BytesIO()
    Image.open(io.BytesIO(face_images["obama.jpg"])).convert("RGB").resize((120, 150)).save(tiny, "JPEG")
    small = _post_image(client, "enroll", tiny.getvalue(), subject_ref="guest-5").json()["code"]
    assert small == "face_too_small"  # the detector's second, upsampled look names a tiny face
    held = client.get("/v1/deployments/hotel-frontdesk/subjects/guest-5").json()
    assert held["templates"] == []  # nothing half-written


def test_unknowns_and_malformed_json(client: TestClient, face_images: dict[str, bytes]) -> None:
    r = client.post("/v1/deployments/nope/verify", params={"purpose": P, "subject_ref": "x"}, content=face_images["obama.jpg"])
    assert r.status_code == 404 and r.json()["code"] == "deployment_unknown"
    bad = client.post("/v1/consents", content=b"{not json", headers={"content-type": "application/json"})
    assert bad.status_code == 422 and bad.json()["code"] == "request_invalid"
    stale = client.post("/v1/consents", json={"deployment_id": "hotel-frontdesk", "subject_ref": "g", "purpose": P,
                                              "notice_version": "0" * 64})
    assert stale.status_code == 409 and stale.json()["code"] == "notice_version_mismatch"
    assert client.delete("/v1/deployments/hotel-frontdesk/subjects/ghost").json()["code"] == "subject_unknown"


def test_truncated_images_stay_refused_after_weasyprint_is_imported(face_images: dict[str, bytes]) -> None:
    """WeasyPrint turns on Pillow's LOAD_TRUNCATED_IMAGES for the whole process when imported."""
    import weasyprint  # noqa: F401
    from PIL import ImageFile

    from facegate.adapters.face.imaging import decode_rgb
    from facegate.errors import ImageRejected

    ImageFile.LOAD_TRUNCATED_IMAGES = True
    half = face_images["obama.jpg"][: len(face_images["obama.jpg"]) // 2]
    with pytest.raises(ImageRejected) as refused:
        decode_rgb(half)
    assert refused.value.code == "image_corrupt"
