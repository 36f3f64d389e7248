"""A real uvicorn on a free local port, and a keep-alive HTTP/1.1 client: the HTTP figures of the benches.

Production runs uvicorn on a socket, so that is what the benches measure (FastAPI's TestClient
skips the socket, the HTTP parser and uvicorn's event loop, and adds its own portal thread).
The server runs in a thread of the bench process so it serves the very context the in-process
figures use (same database, deployment and engine); the client uses `http.client`, which costs
far less than the server it measures.
"""

from __future__ import annotations

import http.client
import socket
import threading
import time
from typing import Any


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class ThreadedServer:
    """uvicorn serving ``app`` on 127.0.0.1:<free port> from a daemon thread, until ``stop``."""

    def __init__(self, app: Any) -> None:
        import uvicorn

        from facegate.web.serving import uvicorn_options

        self.port = free_port()
        # A long keep-alive: on a loaded machine the gap between two of a client's requests can pass uvicorn's 5 s.
        options = {**uvicorn_options("warning"), "host": "127.0.0.1", "port": self.port, "timeout_keep_alive": 120}
        self.server = uvicorn.Server(uvicorn.Config(app, **options))
        self.thread = threading.Thread(target=self.server.run, name="bench-uvicorn", daemon=True)

    def __enter__(self) -> ThreadedServer:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("uvicorn did not start within 30 s")
            time.sleep(0.01)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(10)


class Client:
    """One keep-alive connection; ``post`` returns (status, body)."""

    def __init__(self, port: int, headers: dict[str, str]) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.headers = headers

    def post(self, path: str, body: bytes, content_type: str = "image/jpeg") -> tuple[int, bytes]:
        headers = {**self.headers, "Content-Type": content_type}
        try:
            self.conn.request("POST", path, body=body, headers=headers)
            resp = self.conn.getresponse()
        except (BrokenPipeError, ConnectionResetError, http.client.RemoteDisconnected):  # the server closed it
            self.conn.close()
            self.conn.request("POST", path, body=body, headers=headers)
            resp = self.conn.getresponse()
        return resp.status, resp.read()

    def get(self, path: str) -> tuple[int, bytes]:
        self.conn.request("GET", path, headers=self.headers)
        resp = self.conn.getresponse()
        return resp.status, resp.read()

    def close(self) -> None:
        self.conn.close()
