"""The request path with in-process and with Redis counters: each request counted once (M-14.5).

The HTTP engineer's issue-14 report found that ``principal_of`` counted every request twice against
the per-client limit, halving it. Here the configured limit is what a client really gets.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

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
