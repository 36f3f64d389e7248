"""Holes only a real socket shows (issue 11, item 8): `facegate serve` in a subprocess, uvicorn in a thread.

- the access log printed subject references in clear (the path and query as sent);
- X-Forwarded-For was believed from any caller on 127.0.0.1, so a local process chose
  a new address per request and was never blocked for guessing keys (M-14.5);
- after an unhandled error, the next request on the same keep-alive connection was reset.
"""

from __future__ import annotations

import http.client
import os
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from facegate.bootstrap import AppContext
from facegate.web.app import create_app

ROOT = Path(__file__).resolve().parents[2]
WRONG_KEY = "fg_0000000000000000_" + "x" * 43


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Served:
    """`facegate serve` on a free port; its output is collected by a thread until it stops."""

    def __init__(self, tmp_path: Path) -> None:
        self.port = _free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("FACEGATE_")}
        env.update({"FACEGATE_DATA_DIR": str(tmp_path / "var"), "FACEGATE_ENGINE": "dlib", "FACEGATE_ENV": "dev",
                    "PYTHONUNBUFFERED": "1"})
        self.proc = subprocess.Popen([sys.executable, "-m", "facegate.cli.main", "serve", "--no-examples",
                                      "--port", str(self.port)], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, text=True)
        self.lines: list[str] = []
        self._ready = threading.Event()
        threading.Thread(target=self._collect, daemon=True).start()
        assert self._ready.wait(120), "".join(self.lines)
        found = re.search(r"admin API key:\s+(fg_\S+)", self.output)
        assert found, self.output
        self.admin = found.group(1)
        self._wait_listening()

    def _collect(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.append(line)
            if "API:" in line:
                self._ready.set()
        self._ready.set()

    def _wait_listening(self) -> None:
        for _ in range(200):
            try:
                if self.get("/healthz").status == 200:
                    return
            except OSError:
                time.sleep(0.1)
        raise AssertionError(self.output)

    @property
    def output(self) -> str:
        return "".join(self.lines)

    def get(self, path: str, headers: dict[str, str] | None = None, method: str = "GET") -> http.client.HTTPResponse:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        conn.request(method, path, headers=headers or {})
        r = conn.getresponse()
        r.read()
        conn.close()
        return r

    def stop(self) -> str:
        self.proc.terminate()
        self.proc.wait(30)
        time.sleep(0.2)  # the collector thread drains the pipe
        return self.output


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    s = Served(tmp_path)
    yield s
    if s.proc.poll() is None:
        s.stop()


def test_the_access_log_never_shows_a_subject_reference(served: Served) -> None:
    auth = {"Authorization": f"Bearer {served.admin}"}
    served.get("/v1/deployments/some-desk/subjects/guest-secret-42", auth)
    served.get("/v1/deployments/some-desk/verify?purpose=x&subject_ref=guest-secret-43", auth, method="POST")
    out = served.stop()
    assert "guest-secret" not in out, out
    assert "/v1/deployments/some-desk/subjects/{subject_ref:path} 404" in out, out  # requests are still logged


def test_a_local_caller_cannot_choose_its_address_with_x_forwarded_for(served: Served) -> None:
    """Guessing keys from 127.0.0.1 with a new X-Forwarded-For each time still blocks 127.0.0.1."""
    for i in range(25):
        r = served.get("/v1/deployments", {"Authorization": f"Bearer {WRONG_KEY}",
                                           "X-Forwarded-For": f"203.0.113.{i + 1}"})
        assert r.status in (401, 429)
    r = served.get("/v1/deployments", {"Authorization": f"Bearer {served.admin}",
                                       "X-Forwarded-For": "198.51.100.7"})
    assert r.status == 429, "the guessing address was not blocked: X-Forwarded-For was believed"


@pytest.fixture
def boom_server(fake_ctx: AppContext) -> Iterator[int]:
    """The real app plus one route that fails unexpectedly, under uvicorn in a thread, as `serve` runs it."""
    import uvicorn

    app = create_app(fake_ctx)

    @app.get("/test-boom")
    def boom() -> None:
        raise RuntimeError("an unexpected failure")

    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="critical", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(200):
        if server.started:
            break
        time.sleep(0.05)
    yield port
    server.should_exit = True
    thread.join(10)


def test_an_unhandled_error_does_not_reset_the_keep_alive_connection(boom_server: int) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", boom_server, timeout=30)
    conn.request("GET", "/test-boom")
    first = conn.getresponse()
    body = first.read()
    assert first.status == 500 and b"internal_error" in body and b"unexpected failure" not in body
    conn.request("GET", "/healthz")  # the same connection
    second = conn.getresponse()
    assert second.status == 200 and b"ok" in second.read()
    conn.close()
