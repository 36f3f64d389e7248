"""The request path with in-process and with Redis counters: each request counted once (M-14.5).

The HTTP engineer's issue-14 report found that ``principal_of`` counted every request twice against
the per-client limit, halving it. Here the configured limit is what a client really gets.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from fastapi.testclient import TestClient

from facegate.adapters.counters import MemoryCounters, RedisCounters
from facegate.bootstrap import AppContext, build_context
from facegate.domain.intrusion import IntrusionPolicy, Limit
from facegate.services.access import create_api_key
from facegate.testing import FakeFaceEngine
from facegate.web.app import create_app
from tests import needs
from tests.conftest import install_deployment, make_settings, redis_test_url

REDIS_URL = redis_test_url(2)
T0 = 1_800_000_000.0 + 1  # just after the start of a 60 s window; the counters' clock stands still


def _redis_up() -> bool:
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        return bool(client.ping())
    except redis.RedisError:
        return False
    finally:
        client.close()


@pytest.fixture(params=["memory", "redis"])
def ctx(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[AppContext]:
    c = build_context(make_settings(tmp_path), engine=FakeFaceEngine())
    prefix = f"fgtest:{uuid.uuid4().hex}:"
    if request.param == "redis":
        if not _redis_up():
            needs.unavailable(needs.REDIS, f"no Redis at {REDIS_URL}")
        c.defence.counters = RedisCounters(REDIS_URL, prefix=prefix, clock=lambda: T0)
    else:
        c.defence.counters = MemoryCounters(clock=lambda: T0)
    install_deployment(c)
    yield c
    c.close()
    if request.param == "redis":
        client = redis.Redis.from_url(REDIS_URL)
        keys = list(client.scan_iter(match=prefix + "*"))  # only our own prefix, never FLUSHDB
        if keys:
            client.delete(*keys)
        client.close()


def test_n_requests_pass_and_the_next_is_refused(ctx: AppContext) -> None:
    n = 6
    ctx.defence.policy = IntrusionPolicy(per_client=Limit(n, 60), per_key=Limit(1000, 60))
    token = create_api_key(ctx.services, "door-1", "device", ("hotel-frontdesk",)).token
    door = TestClient(create_app(ctx), headers={"Authorization": f"Bearer {token}"})
    answers = [door.get("/v1/deployments/hotel-frontdesk") for _ in range(n + 1)]
    assert [a.status_code for a in answers] == [200] * n + [429]
    refused = answers[-1].json()
    assert refused["code"] == "rate_limited" and refused["article_id"] == "M-14.5"
    assert refused["limit"] == "client"


class _HungRedis:
    """A "Redis" that accepts connections and reads what it is sent, and never answers."""

    def __init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"redis://127.0.0.1:{self._listener.getsockname()[1]}/0"
        self._cond = threading.Condition()
        self._conns: list[socket.socket] = []
        self.outstanding = 0  # connections that sent a command and wait for its answer
        self.dropped = 0  # connections the client gave up on (its timeout)
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self._listener.accept()
            except OSError:  # closed
                return
            with self._cond:
                self._conns.append(conn)
            threading.Thread(target=self._read, args=(conn,), daemon=True).start()

    def _read(self, conn: socket.socket) -> None:
        waiting = False
        while True:
            try:
                data = conn.recv(4096)
            except OSError:
                data = b""
            with self._cond:
                if not data:
                    self.dropped += 1
                    self.outstanding -= waiting
                    self._cond.notify_all()
                    return
                if not waiting:
                    waiting = True
                    self.outstanding += 1
                    self._cond.notify_all()

    def wait_outstanding(self, n: int, timeout_s: float) -> bool:
        with self._cond:
            return self._cond.wait_for(lambda: self.outstanding >= n, timeout_s)

    def close(self) -> None:
        """Stop listening and cut every connection: the client then fails at once instead of waiting."""
        self._listener.close()
        with self._cond:
            for conn in self._conns:
                with contextlib.suppress(OSError):
                    conn.shutdown(socket.SHUT_RDWR)
                conn.close()


def test_a_hung_redis_stalls_only_the_requests_that_need_it(tmp_path: Path) -> None:
    """Counters are read off the event loop: /healthz and other requests are served meanwhile (M-14.5).

    The requests that need the counters fail closed with 503 dependency_unavailable (adapters.counters
    ``_fail_closed``: a guess that cannot be counted is refused, never let through).
    """
    hung = _HungRedis()
    c = build_context(make_settings(tmp_path), engine=FakeFaceEngine())
    try:
        install_deployment(c)
        token = create_api_key(c.services, "door-1", "device", ("hotel-frontdesk",)).token
        # A long client timeout, so only the event loop being free can let /healthz through meanwhile.
        c.defence.counters = RedisCounters(hung.url, timeout_s=120)
        answers: dict[int, Any] = {}
        with TestClient(create_app(c), headers={"Authorization": f"Bearer {token}"}) as client:  # one event loop

            def ask(i: int) -> None:
                answers[i] = client.get("/v1/deployments/hotel-frontdesk")

            threads = [threading.Thread(target=ask, args=(i,)) for i in range(2)]
            for t in threads:
                t.start()
            try:
                # Both requests wait on Redis at the same time: neither holds the event loop.
                assert hung.wait_outstanding(2, timeout_s=30)
                assert client.get("/healthz").status_code == 200
                assert hung.dropped == 0  # ... and /healthz answered while both still waited
            finally:
                hung.close()
                for t in threads:
                    t.join()
        for answer in answers.values():
            assert answer.status_code == 503
            assert answer.json()["code"] == "dependency_unavailable" and answer.json()["article_id"] == "M-14.5"
    finally:
        hung.close()
        c.close()


def _verify(door: TestClient) -> Any:
    # Refused by the gate (no consent): so authenticated, authorised and admitted first, then the work ran.
    return door.post("/v1/deployments/hotel-frontdesk/verify",
                     params={"purpose": "identity_verification", "subject_ref": "nobody"}, content=b"face:nobody:1")


@pytest.fixture
def hops(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Every function a request sends to anyio's thread pool, in order."""
    import anyio.to_thread

    real = anyio.to_thread.run_sync
    seen: list[object] = []

    async def counting(fn: Any, *args: Any, **kwargs: Any) -> Any:
        seen.append(fn)
        return await real(fn, *args, **kwargs)

    monkeypatch.setattr(anyio.to_thread, "run_sync", counting)
    return seen


def test_a_face_request_makes_one_thread_pool_hop(ctx: AppContext, hops: list[object]) -> None:
    """Issue 14: with Redis counters authentication cannot run on the event loop; it runs in the work's hop."""
    token = create_api_key(ctx.services, "door-1", "device", ("hotel-frontdesk",)).token
    door = TestClient(create_app(ctx), headers={"Authorization": f"Bearer {token}"})
    for _ in range(2):  # the key read from the store, then from the key cache
        hops.clear()
        answer = _verify(door)
        assert answer.status_code == 403 and answer.json()["code"] == "consent_missing", answer.text
        assert len(hops) == 1


def test_a_revoked_key_stops_a_face_request_at_once(ctx: AppContext) -> None:
    from facegate.services.access import revoke_api_key
    from facegate.services.key_cache import KeyCache

    ctx.services.key_cache = KeyCache(ttl_s=5.0, clock=lambda: 0.0)  # an entry never expires by itself
    created = create_api_key(ctx.services, "door-4", "device", ("hotel-frontdesk",))
    door = TestClient(create_app(ctx), headers={"Authorization": f"Bearer {created.token}"})
    assert _verify(door).status_code == 403
    assert ctx.services.key_cache.get(created.key.key_id) is not None
    revoke_api_key(ctx.services, created.key.key_id, actor="test")
    refused = _verify(door)
    assert refused.status_code == 401 and refused.json()["code"] == "key_revoked"


def test_a_liveness_request_makes_one_thread_pool_hop(ctx: AppContext, hops: list[object]) -> None:
    """As the face routes: with Redis counters authentication runs first in the route's own hop (issue 14)."""
    import base64

    token = create_api_key(ctx.services, "door-5", "device", ("hotel-frontdesk",)).token
    door = TestClient(create_app(ctx), headers={"Authorization": f"Bearer {token}"})
    frames = {"frames": [{"step": 0, "seq": 0, "image": base64.b64encode(b"face:nobody:1").decode()}]}
    for _ in range(2):  # the key read from the store, then from the key cache
        hops.clear()
        issued = door.post("/v1/deployments/hotel-frontdesk/liveness/challenges")
        assert issued.status_code == 201, issued.text
        assert len(hops) == 1
        hops.clear()
        answer = door.post("/v1/deployments/hotel-frontdesk/verify/live", json=frames,
                           params={"purpose": "identity_verification", "subject_ref": "nobody",
                                   "challenge_id": issued.json()["challenge_id"]})
        assert answer.status_code in (403, 422), answer.text  # refused after authentication, in the work
        assert len(hops) == 1, answer.text
