"""Liveness over HTTP: a challenge, frames as one JSON body, clear codes for bad bodies (M-14.5)."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from facegate.bootstrap import build_context
from facegate.domain.liveness import Step
from facegate.services.access import create_api_key
from facegate.web.app import create_app
from tests import liveness_media as lm
from tests.conftest import install_deployment, make_settings

P = "identity_verification"
D = "/v1/deployments/hotel-frontdesk"
ORDER = (Step.CENTRE, Step.RIGHT, Step.LEFT, Step.NOD, Step.RIGHT)


@pytest.fixture
def client(tmp_path: Path, real_engine: Any, clock: Any) -> Iterator[TestClient]:
    ctx = build_context(make_settings(tmp_path), clock=clock, engine=real_engine)
    install_deployment(ctx)
    ctx.services.liveness_steps = lambda n: ORDER
    admin = create_api_key(ctx.services, "test-admin", "admin", ("*",))
    with TestClient(create_app(ctx), headers={"Authorization": f"Bearer {admin.token}"}) as c:
        yield c
    ctx.close()


def test_challenge_then_live_verify_over_http(client: TestClient, real_engine: Any,
                                              face_images: dict[str, bytes]) -> None:
    notice = client.get(f"{D}").json()["notice_version"]
    assert client.post("/v1/consents", json={"deployment_id": "hotel-frontdesk", "subject_ref": "g1", "purpose": P,
                                             "notice_version": notice}).status_code == 201
    assert client.post(f"{D}/enroll", params={"purpose": P, "subject_ref": "g1"}, content=face_images["obama.jpg"],
                       headers={"content-type": "image/jpeg"}).status_code == 201
    ch = client.post(f"{D}/liveness/challenges")
    assert ch.status_code == 201, ch.text
    body = ch.json()
    assert [s["step"] for s in body["steps"]] == [s.value for s in ORDER] and body["ttl_s"] == 30
    assert body["steps"][0]["prompt_zh"] and body["steps"][0]["prompt_en"] and body["frames_per_step"] >= 1

    shots = lm.step_frames(*lm.face_frame(real_engine, face_images["obama3.jpg"]), [s.value for s in ORDER], 3)
    frames = [{"step": s, "seq": q, "image": "data:image/jpeg;base64," + base64.b64encode(img).decode()}
              for s, q, img in shots]
    params = {"purpose": P, "subject_ref": "g1", "challenge_id": body["challenge_id"]}
    ok = client.post(f"{D}/verify/live", params=params, json={"frames": frames})
    assert ok.status_code == 200, ok.text
    assert ok.json()["is_match"] and ok.json()["liveness"]["observed"] == ["right", "left", "nod", "right"]

    again = client.post(f"{D}/verify/live", params=params, json={"frames": frames})
    assert again.status_code == 403 and again.json()["code"] == "liveness_challenge_used"
    assert again.json()["article_id"] == "M-14.5" and again.json()["decision"]["alternatives"]


@pytest.mark.parametrize("body", [b"not json", b'{"frames": []}', b'{"frames": [{"step": 0}]}',
                                  b'{"frames": [{"step": 0, "seq": 0, "image": "***"}]}', b'{"x": 1}'])
def test_malformed_frame_bodies_get_a_clear_code(client: TestClient, body: bytes) -> None:
    cid = client.post(f"{D}/liveness/challenges").json()["challenge_id"]
    r = client.post(f"{D}/verify/live", params={"purpose": P, "subject_ref": "g1", "challenge_id": cid},
                    content=body, headers={"content-type": "application/json"})
    assert r.status_code == 422 and r.json()["code"] == "liveness_frames_invalid", r.text


def test_an_oversized_frame_body_is_refused_as_it_streams_in(client: TestClient) -> None:
    """The body is read through the one capped reader, web.deps.capped_body, and refused past its cap (413)."""
    from facegate.web import deps
    from facegate.web.routes import liveness as routes

    assert routes.capped_body is deps.capped_body  # no copy of the streaming cap of its own
    cid = client.post(f"{D}/liveness/challenges").json()["challenge_id"]

    def chunks() -> Iterator[bytes]:
        for _ in range(200):  # 200 MiB offered; the cap stops reading long before
            yield b" " * (1 << 20)

    # Not declared as JSON, so the guard's text-body check (web/guard.py) lets it through to the route's own cap.
    r = client.post(f"{D}/verify/live", params={"purpose": P, "subject_ref": "g1", "challenge_id": cid},
                    content=chunks(), headers={"content-type": "application/octet-stream"})
    assert r.status_code == 413 and r.json()["code"] == "liveness_body_too_large"
    assert "larger than" in r.json()["detail"]
