"""RedisCounters against the real server: shared counts across nodes, locks, expiry (M-14.5)."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from datetime import datetime, timezone

import pytest
import redis

from facegate.adapters.counters import RedisCounters
from facegate.domain.counters_port import Counters
from facegate.domain.intrusion import IntrusionDefence, IntrusionPolicy, Limit
from tests import needs
from tests.conftest import redis_test_url

URL = redis_test_url(0)


class _Clock:
    def __init__(self, t: float) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.t, timezone.utc)


@pytest.fixture
def prefix() -> Iterator[str]:
    client = redis.Redis.from_url(URL)
    try:
        client.ping()
    except redis.ConnectionError:
        client.close()
        needs.unavailable(needs.REDIS, f"no Redis at {URL}")
    p = f"fgtest:{uuid.uuid4().hex}:"
    yield p
    keys = list(client.scan_iter(match=p + "*"))  # only our own prefix, never FLUSHDB
    if keys:
        client.delete(*keys)
    client.close()


@pytest.fixture
def clock() -> _Clock:
    return _Clock(1_800_000_000.0)  # a multiple of 60 and 600: windows start here


@pytest.fixture
def nodes(prefix: str, clock: _Clock) -> Iterator[tuple[RedisCounters, RedisCounters]]:
    a, b = RedisCounters(URL, prefix=prefix, clock=clock), RedisCounters(URL, prefix=prefix, clock=clock)
    yield a, b
    a.close()
    b.close()


def test_satisfies_the_port_and_hides_the_url(nodes: tuple[RedisCounters, RedisCounters], prefix: str) -> None:
    assert isinstance(nodes[0], Counters)
    assert "redis://" not in repr(nodes[0]) and prefix in repr(nodes[0])


def test_two_nodes_share_one_count(nodes: tuple[RedisCounters, RedisCounters], clock: _Clock) -> None:
    a, b = nodes
    assert a.hit("k", 60) == 1
    assert b.hit("k", 60, amount=4) == 5
    assert a.get("k", 60) == b.get("k", 60) == 5
    assert a.get("other", 60) == 0
    clock.t += 90  # half of the previous window still counts
    assert a.get("k", 60) == 3
    clock.t += 60
    assert a.get("k", 60) == 0


def test_a_request_s_hits_count_like_single_hits_and_survive_a_script_flush(
        nodes: tuple[RedisCounters, RedisCounters]) -> None:
    """Issue 14: a request's per-client, per-key and per-subject hits go to Redis in one pipeline."""
    a, b = nodes
    assert a.hit("x", 60) == 1
    assert b.hit_many([("x", 60), ("y", 600), ("x", 60)]) == [2, 1, 3]
    assert a.get("x", 60) == 3 and a.get("y", 600) == 1
    client = redis.Redis.from_url(URL)
    client.script_flush()  # as after a Redis restart: the script is loaded again and the hits still count
    client.close()
    assert a.hit_many([("y", 600)]) == [2]


def test_concurrent_hits_are_not_lost(nodes: tuple[RedisCounters, RedisCounters]) -> None:
    a, b = nodes

    def work(c: RedisCounters) -> None:
        for _ in range(200):
            c.hit("race", 60)

    threads = [threading.Thread(target=work, args=(c,)) for c in (a, b, a, b)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert a.get("race", 60) == 800


def test_counters_carry_an_expiry(nodes: tuple[RedisCounters, RedisCounters], prefix: str) -> None:
    nodes[0].hit("ttl", 60)
    client = redis.Redis.from_url(URL)
    (key,) = list(client.scan_iter(match=prefix + "c:ttl:*"))
    assert 0 < client.ttl(key) <= 121
    client.close()


def test_locks_are_first_wins_and_expire(nodes: tuple[RedisCounters, RedisCounters]) -> None:
    a, b = nodes
    assert a.set_lock("subject:x", 1)
    assert not b.set_lock("subject:x", 60)  # NX: the running lock is not extended or replaced
    assert b.is_locked("subject:x") and not b.is_locked("subject:y")
    time.sleep(1.2)
    assert not a.is_locked("subject:x")
    assert a.set_lock("subject:x", 60)
    b.clear_lock("subject:x")
    assert not a.is_locked("subject:x")


def test_intrusion_defence_locks_a_subject_for_every_node(nodes: tuple[RedisCounters, RedisCounters], clock: _Clock) -> None:
    policy = IntrusionPolicy(verify_failures=Limit(5, 600), subject_lock_steps_s=(60,))
    node_a, node_b = (IntrusionDefence(c, policy, clock) for c in nodes)
    events = []
    for i in range(5):
        node = node_a if i % 2 else node_b
        events += node.record_verification(subject_ref="ref-r", matched=False, key_id="k", client="10.0.0.1")
    assert [e.kind for e in events] == ["subject_locked"]
    assert node_a.is_subject_locked("ref-r") and node_b.is_subject_locked("ref-r")
