"""Redis dies and comes back between two real nodes: no 500s, 503 while it is down, and no enrolment missed.

Issue 11, item 6. The test starts its OWN redis-server on a free port (6390 and up),
so the shared one on 6379 is never touched, and kills it with SIGKILL mid-test.
A change made while the nodes could not hear each other (written by a third
process that publishes nothing, as if its message were lost) must still reach
node B: the gallery catches up from the database's change log by version.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from facegate.bootstrap import build_context
from facegate.services.access import create_api_key
from facegate.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
METRO = "line2-people-square-security"
P = "public_security"

pytestmark = [pytest.mark.postgres, pytest.mark.slow]


def _free_port(start: int = 0) -> int:
    for port in range(start, start + 100) if start else [0]:
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return int(s.getsockname()[1])
    raise RuntimeError("no free port")


class OwnRedis:
    """A throwaway redis-server: started, SIGKILLed and restarted on the same port by the test."""

    def __init__(self, folder: Path) -> None:
        self.port = _free_port(6390)
        self.folder = folder
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.folder)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _until(lambda: subprocess.run(["redis-cli", "-p", str(self.port), "ping"], capture_output=True,
                                      text=True).stdout.strip() == "PONG", "own redis-server did not start")

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)


def _until(check: Callable[[], bool], what: str, limit_s: float = 30.0) -> None:
    """Wait for a condition (a liveness bound, not a speed assertion)."""
    deadline = time.monotonic() + limit_s
    while not check():
        assert time.monotonic() < deadline, what
        time.sleep(0.1)


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[OwnRedis]:
    server = OwnRedis(tmp_path)
    server.start()
    try:
        yield server
    finally:
        server.kill()


def _start(env: dict[str, str], port: int, log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "--factory", "facegate.web.asgi:app_from_env",
             "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
            env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)


def _identify(node: httpx.Client, image: bytes) -> list[str] | None:
    r = node.post(f"/v1/deployments/{METRO}/identify", params={"purpose": P}, content=image)
    return [c["subject_ref"] for c in r.json()["candidates"]] if r.status_code == 200 else None


def test_redis_killed_and_restarted_between_two_nodes(tmp_path: Path, pg_url: str, redis_server: OwnRedis,
                                                     face_images: dict[str, bytes], real_engine) -> None:  # type: ignore[no-untyped-def]
    keys = tmp_path / "shared-keys"
    env = {**os.environ, "FACEGATE_DATA_DIR": str(keys), "FACEGATE_DATABASE_URL": pg_url,
           "FACEGATE_REDIS_URL": redis_server.url, "FACEGATE_PURGE_INTERVAL_S": "0"}
    offline = build_context(Settings(data_dir=keys, database_url=pg_url, redis_url=None), engine=real_engine)
    token = create_api_key(offline.services, "feed-outage-test", "admin", ("*",)).token
    procs, logs, clients = [], [], []
    try:
        for name in ("a", "b"):
            port, log = _free_port(), tmp_path / f"node-{name}.log"
            procs.append(_start(env, port, log))
            logs.append(log)
            client = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60,
                                  headers={"Authorization": f"Bearer {token}"})
            clients.append(client)
            _until(lambda c=client: _healthy(c), f"node {name} did not start", 120)
        a, b = clients
        manifest = (ROOT / "examples" / "metro-station-signed.yaml").read_bytes()
        assert a.post("/v1/deployments", content=manifest,
                      headers={"content-type": "application/yaml"}).json()["status"] == "active"
        assert _identify(b, face_images["obama3.jpg"]) == []  # B's gallery is loaded (and empty)
        notice = a.get(f"/v1/deployments/{METRO}").json()["notice_version"]
        for ref in ("p-1", "p-3"):  # a law is the basis, but the notice is still given and recorded (M-5.1)
            told = a.post("/v1/notice-records", json={"deployment_id": METRO, "subject_ref": ref, "purpose": P,
                                                      "notice_version": notice, "age_attested_by": "officer-7"})
            assert told.status_code == 201, told.text
        r = a.post(f"/v1/deployments/{METRO}/enroll", params={"purpose": P, "subject_ref": "p-1"},
                   content=face_images["obama.jpg"])
        assert r.status_code == 201, r.text
        _until(lambda: _identify(b, face_images["obama3.jpg"]) == ["p-1"], "B never saw A's enrolment")

        redis_server.kill()
        for node in (a, b):
            _until(lambda n=node: n.get("/healthz").status_code == 503, "healthz never reported Redis down")
            health = node.get("/healthz").json()
            assert health["code"] == "dependency_unavailable" and health["dependencies"]["redis"]["ok"] is False
            assert health["dependencies"]["database"]["ok"] is True
        # During the outage: a stable 503, never a 500 or a dropped connection.
        outage = [
            a.post(f"/v1/deployments/{METRO}/enroll", params={"purpose": P, "subject_ref": "p-9"},
                   content=face_images["obama2.jpg"]),
            b.post(f"/v1/deployments/{METRO}/identify", params={"purpose": P}, content=face_images["obama3.jpg"]),
            b.get(f"/v1/deployments/{METRO}"),
        ]
        assert [(x.status_code, x.json()["code"]) for x in outage] == [(503, "dependency_unavailable")] * 3
        assert outage[0].json()["detail_zh"] and outage[0].json()["article_id"] == "M-14.5"

        # Meanwhile a change no node hears of: another process enrols p-2 and deletes p-1, publishing nothing.
        from facegate.services import faces, subjects
        from facegate.services.consent import ConsentRequest, record_notice

        record_notice(offline.services, ConsentRequest(METRO, "p-2", P, notice, age_attested_by="officer-7"))
        assert faces.enroll(offline.services, METRO, "p-2", P, face_images["biden.jpg"]).template_id
        subjects.delete_subject(offline.services, METRO, "p-1", actor="cli")

        redis_server.start()
        for node in (a, b):
            _until(lambda n=node: _healthy(n), "a node never reconnected to the restarted Redis")
        _until(lambda: _identify(b, face_images["biden.jpg"]) == ["p-2"], "B missed the enrolment made in the gap")
        _until(lambda: _identify(b, face_images["obama3.jpg"]) == [], "B still matches the person deleted in the gap")
        health = b.get("/healthz").json()
        assert health["dependencies"]["redis"]["reconnects"] >= 1, health
        assert health["dependencies"]["gallery_sync"]["resyncs"] >= 1, health

        # And the feed works again after the restart.
        r = a.post(f"/v1/deployments/{METRO}/enroll", params={"purpose": P, "subject_ref": "p-3"},
                   content=face_images["obama.jpg"])
        assert r.status_code == 201, r.text
        _until(lambda: _identify(b, face_images["obama3.jpg"]) == ["p-3"], "B never saw an enrolment after the restart")
    finally:
        for c in clients:
            c.close()
        for p in procs:
            p.terminate()
            p.wait(15)
        offline.close()
    text = logs[1].read_text()
    assert "change feed lost Redis" in text and "change feed reconnected" in text, text[-3000:]
    assert "resynchronised from the database" in text, text[-3000:]
    assert "Traceback" not in text, text[-3000:]


def _healthy(node: httpx.Client) -> bool:
    try:
        return node.get("/healthz", timeout=2).status_code == 200
    except httpx.TransportError:
        return False
