"""A real uvicorn on a free local port, and a keep-alive HTTP/1.1 client: the HTTP figures of the benches.

Production runs uvicorn on a socket, so that is what the benches measure (FastAPI's TestClient
skips the socket, the HTTP parser and uvicorn's event loop, and adds its own portal thread).
The server runs in a thread of the bench process so it serves the very context the in-process
figures use (same database, deployment and engine); the client uses `http.client`.

``RemoteClient`` runs that client in a process of its own, as a real client is: in the bench
process its Python work took the server's GIL, and it woke once for the response's headers
and again for its body, each time waiting for the server's threads to let go of the GIL
(issue 14). It times each request itself, so the pipe that drives it is not counted.
"""

from __future__ import annotations

import http.client
import json
import subprocess
import sys
import threading
import time
from typing import IO, Any

from facegate.web.local_server import free_port


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


class RemoteClient:
    """A ``Client`` in a child process; ``post`` returns (status, body), ``last_s`` the seconds it took there."""

    def __init__(self, port: int, headers: dict[str, str]) -> None:
        self.proc = subprocess.Popen([sys.executable, __file__, "client", str(port)],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self._in: IO[bytes] = self.proc.stdin
        self._out: IO[bytes] = self.proc.stdout
        self._in.write(json.dumps(headers).encode() + b"\n")
        self._in.flush()
        self.last_s = 0.0

    def post(self, path: str, body: bytes, content_type: str = "image/jpeg") -> tuple[int, bytes]:
        self._in.write(json.dumps({"path": path, "len": len(body), "type": content_type}).encode() + b"\n" + body)
        self._in.flush()
        line = self._out.readline()
        if not line:
            raise RuntimeError("the client process ended")
        reply = json.loads(line)
        self.last_s = float(reply["s"])
        return int(reply["status"]), self._out.read(int(reply["len"]))

    def close(self) -> None:
        self._in.close()
        self.proc.wait(10)


def _serve_as_client(port: int) -> None:
    """The child's side of ``RemoteClient``: one request per command on stdin, the answer on stdout."""
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    client = Client(port, json.loads(stdin.readline()))
    while line := stdin.readline():
        ask = json.loads(line)
        body = stdin.read(int(ask["len"]))
        t = time.perf_counter()
        status, out = client.post(str(ask["path"]), body, str(ask["type"]))
        took = time.perf_counter() - t
        stdout.write(json.dumps({"status": status, "len": len(out), "s": took}).encode() + b"\n" + out)
        stdout.flush()
    client.close()


if __name__ == "__main__" and sys.argv[1:2] == ["client"]:
    _serve_as_client(int(sys.argv[2]))


def expect_ok(status_body: tuple[int, bytes]) -> None:
    if status_body[0] != 200:
        raise RuntimeError(f"HTTP {status_body[0]}: {status_body[1][:300]!r}")


def http_throughput(n_clients: int, port: int, headers: dict[str, str], requests: list[tuple[str, bytes]]) -> float:
    """Requests per second for ``requests`` (path, body) POSTed over ``n_clients`` keep-alive connections at once."""
    clients = [RemoteClient(port, headers) for _ in range(n_clients)]
    errors: list[BaseException] = []

    def run(i: int) -> None:
        try:
            for path, body in requests[i::n_clients]:
                expect_ok(clients[i].post(path, body))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n_clients)]
    t = time.perf_counter()
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    took = time.perf_counter() - t
    for c in clients:
        c.close()
    if errors:
        raise errors[0]
    return len(requests) / took
