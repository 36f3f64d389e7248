"""The API-key cache: entries expire, drops win over reads that started before them, rings go out."""

from __future__ import annotations

from datetime import UTC, datetime

from facegate.domain.access import new_api_key
from facegate.services.key_cache import KeyCache

NOW = datetime(2026, 1, 1, tzinfo=UTC)


class Tick:
    def __init__(self) -> None:
        self.t = 0.0

    def __call__(self) -> float:
        return self.t


def _key(key_id: str = "0123456789abcdef"):  # type: ignore[no-untyped-def]
    return new_api_key(key_id, "door", "device", ("d1",), NOW)


def test_an_entry_is_used_until_its_ttl_then_read_again() -> None:
    clock = Tick()
    cache = KeyCache(1.0, clock)
    cache.put(_key(), cache.generation())
    clock.t = 0.99
    assert cache.get("0123456789abcdef") is not None
    clock.t = 1.0
    assert cache.get("0123456789abcdef") is None


def test_a_read_from_before_a_drop_is_not_put_back() -> None:
    cache = KeyCache(1.0, Tick())
    generation = cache.generation()  # a request starts reading the row ...
    cache.drop("0123456789abcdef")  # ... the key is revoked meanwhile ...
    cache.put(_key(), generation)  # ... and the row it read must not come back
    assert cache.get("0123456789abcdef") is None
    cache.put(_key(), cache.generation())
    assert cache.get("0123456789abcdef") is not None


def test_drops_ring_the_listeners_unless_the_ring_came_from_elsewhere() -> None:
    cache, rung = KeyCache(1.0, Tick()), []
    cache.on_drop(rung.append)
    cache.put(_key(), cache.generation())
    cache.drop("0123456789abcdef")
    cache.drop(None, ring=False)
    assert rung == ["0123456789abcdef"]


def test_ttl_zero_holds_nothing() -> None:
    cache = KeyCache(0.0, Tick())
    cache.put(_key(), cache.generation())
    assert cache.get("0123456789abcdef") is None
