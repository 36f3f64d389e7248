"""Two service processes on one PostgreSQL and one Redis behave as one service (real engine and photos)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from facegate.bootstrap import build_context
from facegate.services.access import create_api_key
from facegate.settings import Settings
from tests.conftest import redis_test_url

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = redis_test_url(1)
METRO = "line2-people-square-security"
P = "public_security"

pytestmark = [pytest.mark.postgres, pytest.mark.slow]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start(env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "--factory", "facegate.web.asgi:app_from_env",
         "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
        env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )


def _wait(url: str, proc: subprocess.Popen[bytes]) -> None:
    for _ in range(120):
        if proc.poll() is not None:
            raise RuntimeError(proc.stderr.read().decode() if proc.stderr else "node died")
        try:
            if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.25)
    raise TimeoutError(url)


@pytest.fixture
def nodes(tmp_path: Path, pg_url: str) -> Iterator[tuple[httpx.Client, httpx.Client]]:
    env = {**os.environ, "FACEGATE_DATA_DIR": str(tmp_path / "shared-keys"), "FACEGATE_DATABASE_URL": pg_url,
           "FACEGATE_REDIS_URL": REDIS_URL, "FACEGATE_PURGE_INTERVAL_S": "0"}
    settings = Settings(data_dir=tmp_path / "shared-keys", database_url=pg_url, redis_url=None)
    ctx = build_context(settings, engine=_NoEngine())
    token = create_api_key(ctx.services, "two-node-test", "admin", ("*",)).token
    ctx.close()
    procs, clients = [], []
    for _ in range(2):
        port = _free_port()
        proc = _start(env, port)
        procs.append(proc)
        _wait(f"http://127.0.0.1:{port}", proc)
        clients.append(httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60,
                                    headers={"Authorization": f"Bearer {token}"}))
    yield clients[0], clients[1]
    for c in clients:
        c.close()
    for p in procs:
        p.terminate()
        p.wait(10)


class _NoEngine:
    """Setting up keys and the schema needs no face engine."""

    name = "none"
    dimension = 128
    default_threshold = 0.6


def _identify(node: httpx.Client, image: bytes) -> list[str]:
    r = node.post(f"/v1/deployments/{METRO}/identify", params={"purpose": P}, content=image)
    assert r.status_code == 200, r.text
    return [c["subject_ref"] for c in r.json()["candidates"]]


def test_two_nodes_one_service(nodes: tuple[httpx.Client, httpx.Client], face_images: dict[str, bytes]) -> None:
    a, b = nodes
    manifest = (ROOT / "examples" / "metro-station-signed.yaml").read_bytes()
    assert a.post("/v1/deployments", content=manifest, headers={"content-type": "application/yaml"}).json()["status"] == "active"

    assert _identify(b, face_images["obama3.jpg"]) == []  # B loads its (empty) gallery now
    notice = a.get(f"/v1/deployments/{METRO}").json()["notice_version"]
    for ref in ("p-1", "p-2"):  # a law is the basis, but the notice is still given and recorded (M-5.1)
        told = a.post("/v1/notice-records", json={"deployment_id": METRO, "subject_ref": ref, "purpose": P,
                                                  "notice_version": notice, "age_attested_by": "officer-7"})
        assert told.status_code == 201, told.text
    r = a.post(f"/v1/deployments/{METRO}/enroll", params={"purpose": P, "subject_ref": "p-1"}, content=face_images["obama.jpg"])
    assert r.status_code == 201, r.text
    deadline = time.monotonic() + 2
    while _identify(b, face_images["obama3.jpg"]) != ["p-1"]:
        assert time.monotonic() < deadline, "node B never saw node A's enrollment"
        time.sleep(0.05)
    match = b.post(f"/v1/deployments/{METRO}/verify", params={"purpose": P, "subject_ref": "p-1"},
                   content=face_images["obama2.jpg"])
    assert match.json()["is_match"] is True

    assert a.delete(f"/v1/deployments/{METRO}/subjects/p-1").status_code == 200
    started = time.monotonic()
    while _identify(b, face_images["obama3.jpg"]):
        assert time.monotonic() - started < 1.0, "node B still matched a deleted subject after 1 s"
        time.sleep(0.02)

    # Shared intrusion counters: five failed matches spread over both nodes lock the subject on both.
    a.post(f"/v1/deployments/{METRO}/enroll", params={"purpose": P, "subject_ref": "p-2"}, content=face_images["obama.jpg"])
    for n in range(5):
        node = (a, b)[n % 2]
        r = node.post(f"/v1/deployments/{METRO}/verify", params={"purpose": P, "subject_ref": "p-2"},
                      content=face_images["biden.jpg"])
        assert r.json()["is_match"] is False
    locked = b.post(f"/v1/deployments/{METRO}/verify", params={"purpose": P, "subject_ref": "p-2"},
                    content=face_images["obama2.jpg"])
    assert locked.status_code == 403 and locked.json()["code"] == "subject_locked"
    assert a.post(f"/v1/deployments/{METRO}/verify", params={"purpose": P, "subject_ref": "p-2"},
                  content=face_images["obama2.jpg"]).json()["code"] == "subject_locked"

    # Concurrent writers on both nodes still make one valid chain.
    from concurrent.futures import ThreadPoolExecutor

    hotel = (ROOT / "examples" / "hotel-front-desk-check-in.yaml").read_bytes()
    hotel_id = b.post("/v1/deployments", content=hotel, headers={"content-type": "application/yaml"}).json()["id"]
    method = b.get(f"/v1/deployments/{hotel_id}").json()["alternatives"][0]["code"]

    def alt(i: int) -> int:
        node = (a, b)[i % 2]
        return node.post(f"/v1/deployments/{hotel_id}/alternative",
                         json={"purpose": "check_in", "method": method, "is_verified": True}).status_code

    with ThreadPoolExecutor(8) as pool:
        assert set(pool.map(alt, range(40))) == {200}
    report = b.get("/v1/audit/verify").json()
    assert report["ok"] is True, report
    assert report["checked"] == report["last_seq"]

