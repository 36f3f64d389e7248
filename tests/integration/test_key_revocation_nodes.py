"""Two nodes on one store and one Redis: a key revoked on one stops working on the other when the feed rings.

Issue 14: API keys are cached per node (services/key_cache.py). Node B's cache here never
expires by itself, so only the change feed's ring can make it refuse the revoked key.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import redis
from fastapi.testclient import TestClient

from facegate.bootstrap import build_context
from facegate.services.access import create_api_key, revoke_api_key
from facegate.testing import FakeFaceEngine
from facegate.web.app import create_app
from tests.conftest import install_deployment, make_settings, redis_test_url

REDIS_URL = redis_test_url(1)


def _redis_up() -> bool:
    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


@pytest.mark.skipif(not _redis_up(), reason="needs Redis at FACEGATE_TEST_REDIS_URL")
def test_a_key_revoked_on_one_node_is_refused_on_the_other(tmp_path: Path) -> None:
    # Earlier tests share this Redis database: their per-client counters (the same "testclient" address)
    # could still be inside their window and answer this test's first request with 429.
    redis.Redis.from_url(REDIS_URL).flushdb()
    settings = make_settings(tmp_path, redis_url=REDIS_URL)
    node_a = build_context(settings, engine=FakeFaceEngine())
    node_b = build_context(settings, engine=FakeFaceEngine())
    try:
        install_deployment(node_a)
        node_b.services.key_cache._clock = lambda: 0.0  # B's entries never expire: only the ring drops them
        created = create_api_key(node_a.services, "door-5", "device", ("hotel-frontdesk",))
        door = TestClient(create_app(node_b), headers={"Authorization": f"Bearer {created.token}"})
        assert door.get("/v1/deployments/hotel-frontdesk").status_code == 200
        assert node_b.services.key_cache.get(created.key.key_id) is not None
        revoke_api_key(node_a.services, created.key.key_id, actor="test")
        deadline = time.monotonic() + 20  # generous: the machine may be loaded; the ring takes milliseconds
        while node_b.services.key_cache.get(created.key.key_id) is not None and time.monotonic() < deadline:
            time.sleep(0.02)
        refused = door.get("/v1/deployments/hotel-frontdesk")
        assert refused.status_code == 401 and refused.json()["code"] == "key_revoked"
    finally:
        node_a.close()
        node_b.close()
