"""The server a kill -9 test shoots: uvicorn in a subprocess, and a burst of concurrent requests at it.

Used by tests/integration/test_crash_recovery.py. ``Server`` runs the real service
(tests/integration/crash_app.py) on a free port; ``prepare`` writes the deployment, the
consents and an admin key before it starts; ``fire`` sends concurrent enrolls with
withdrawals and deletions mixed in and SIGKILLs the server once enough have answered.
"""

from __future__ import annotations

import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from facegate.bootstrap import AppContext, build_context
from facegate.services.access import create_api_key
from facegate.services.consent import ConsentRequest, give_consent
from facegate.services.deployments import apply_manifest_text
from facegate.settings import Settings
from facegate.testing import FakeFaceEngine

ROOT = Path(__file__).resolve().parents[2]
HOTEL = ROOT / "examples" / "hotel-front-desk-check-in.yaml"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    env: dict[str, str]
    log: Path
    port: int = 0
    proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 60.0) -> None:
        self.port = _free_port()
        out = self.log.open("ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "tests.integration.crash_app:app", "--host", "127.0.0.1",
             "--port", str(self.port), "--log-level", "warning", "--no-access-log"],
            cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT,
        )
        out.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"server exited with {self.proc.returncode}:\n{self.log.read_text()[-3000:]}")
            try:
                if httpx.get(self.url + "/healthz", timeout=1.0).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise AssertionError(f"server did not start in {timeout} s:\n{self.log.read_text()[-3000:]}")

    def kill9(self) -> None:
        assert self.proc is not None
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(10)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)


@dataclass
class Burst:
    acknowledged: list[str] = field(default_factory=list)  # template ids the client got a 201 for
    statuses: dict[str, int] = field(default_factory=dict)
    errors: int = 0
    done: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def count(self, what: str) -> None:
        with self.lock:
            self.statuses[what] = self.statuses.get(what, 0) + 1
            self.done += 1


class ServerErrors(AssertionError):
    """The burst got 5xx answers (checked after every record invariant held)."""


@dataclass(frozen=True)
class Scenario:
    engine: str  # "fake" or "real"
    guests: int
    enrolls_per_guest: int
    workers: int


def scenario_images(scenario: Scenario, face_images: dict[str, bytes]) -> list[bytes]:
    if scenario.engine == "fake":
        return []
    return [face_images[n] for n in ("obama.jpg", "obama2.jpg", "obama3.jpg", "biden.jpg")]


def request_body(scenario: Scenario, images: list[bytes], guest: int, shot: int) -> bytes:
    return f"face:guest-{guest}:{shot}".encode() if scenario.engine == "fake" else images[(guest + shot) % len(images)]


def prepare(settings: Settings, guests: int) -> tuple[str, str, str]:
    """Deployment, consents and an admin key, written straight to the store before the server starts."""
    ctx: AppContext = build_context(settings, engine=FakeFaceEngine())
    try:
        d = apply_manifest_text(ctx.services, HOTEL.read_text(encoding="utf-8"), HOTEL.name).deployment
        purpose = d.purposes[0]
        for g in range(guests):
            give_consent(ctx.services, ConsentRequest(d.id, f"guest-{g}", purpose, d.notice_version,
                                                          age_attested_by="desk"))
        token = create_api_key(ctx.services, name="crash-test", role="admin", scopes=("*",)).token
        return d.id, purpose, token
    finally:
        ctx.close()


def fire(server: Server, scenario: Scenario, images: list[bytes], deployment: str, purpose: str,
          headers: dict[str, str], kill_after: int) -> Burst:
    """Concurrent enrolls, with withdrawals and deletions mixed in; SIGKILL once ``kill_after`` have answered."""
    rng = random.Random(7)
    jobs: list[tuple[str, int, int]] = [("enroll", g, s) for g in range(scenario.guests)
                                        for s in range(scenario.enrolls_per_guest)]
    jobs += [("withdraw", g, 0) for g in range(0, scenario.guests, 7)]
    jobs += [("delete", g, 0) for g in range(3, scenario.guests, 11)]
    rng.shuffle(jobs)
    burst = Burst()
    base = f"/v1/deployments/{deployment}"

    def one(client: httpx.Client, job: tuple[str, int, int]) -> None:
        op, g, shot = job
        ref = f"guest-{g}"
        try:
            if op == "enroll":
                r = client.post(f"{base}/enroll", params={"purpose": purpose, "subject_ref": ref},
                                content=request_body(scenario, images, g, shot), headers={"content-type": "image/jpeg"})
                if r.status_code == 201:
                    with burst.lock:
                        burst.acknowledged.append(r.json()["template_id"])
            elif op == "withdraw":
                r = client.post("/v1/consents/withdraw", json={"deployment_id": deployment, "subject_ref": ref})
            else:
                r = client.delete(f"{base}/subjects/{ref}")
            burst.count(f"{op} {r.status_code}")
        except httpx.HTTPError:
            with burst.lock:
                burst.errors += 1
            burst.count(f"{op} connection error")

    with httpx.Client(base_url=server.url, headers=headers, timeout=60.0) as client, \
            ThreadPoolExecutor(scenario.workers) as pool:
        futures = [pool.submit(one, client, job) for job in jobs]
        deadline = time.monotonic() + 120
        while burst.done < kill_after and time.monotonic() < deadline:
            time.sleep(0.005)
        server.kill9()
        for f in futures:
            f.result()
    return burst
