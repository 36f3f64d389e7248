"""Redis pub/sub change feed: rings every other node when a gallery changed; survives Redis going away.

A message says only "something changed"; the nodes read what from the store's
change log (services/gallery_sync.py), so a lost message costs latency, never
correctness. The listener reconnects with capped exponential backoff, logs
losing and regaining Redis, and reports a gap on every reconnect so the gallery
catches up from the database. Publishing never fails a request: the change is
already committed and logged.
"""

from __future__ import annotations

import json
import logging
import random
import threading
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime

import redis

log = logging.getLogger(__name__)
CHANNEL = "facegate:gallery"
BACKOFF_FIRST_S, BACKOFF_MAX_S = 0.1, 5.0
_REDIS_DOWN = (redis.ConnectionError, redis.TimeoutError, OSError)


class RedisChangeFeed:
    """Publishes gallery changes and runs one listener thread that hands remote ones to a handler."""

    def __init__(self, url: str, channel: str = CHANNEL) -> None:
        self.node_id = uuid.uuid4().hex
        self._client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=5)
        self._channel = channel
        self._closed = threading.Event()
        self._thread: threading.Thread | None = None
        self._state_lock = threading.Lock()
        self.connected = False
        self.down_since: datetime | None = None
        self.reconnects = 0
        self.last_error: str | None = None

    def __repr__(self) -> str:
        return f"RedisChangeFeed(channel={self._channel!r}, node={self.node_id[:8]})"

    def publish(self, message: dict[str, object]) -> None:
        try:
            self._client.publish(self._channel, json.dumps({**message, "node": self.node_id}))
        except _REDIS_DOWN as exc:  # the other nodes will find the change in the database's log
            self._down(exc)

    def subscribe(self, handler: Callable[[dict[str, object]], None],
                  on_gap: Callable[[], None] = lambda: None) -> None:
        ready = threading.Event()
        self._thread = threading.Thread(target=self._listen, args=(handler, on_gap, ready),
                                        name="facegate-feed", daemon=True)
        self._thread.start()
        ready.wait(5)

    def _listen(self, handler: Callable[[dict[str, object]], None], on_gap: Callable[[], None],
                ready: threading.Event) -> None:
        pubsub: redis.client.PubSub | None = None
        backoff = BACKOFF_FIRST_S
        first = True
        while not self._closed.is_set():
            try:
                if pubsub is None:
                    pubsub = self._client.pubsub(ignore_subscribe_messages=True)
                    pubsub.subscribe(self._channel)
                    self._up(first)
                    if not first:
                        on_gap()  # messages sent while we were away are lost: replay from the database
                    first, backoff = False, BACKOFF_FIRST_S
                    ready.set()
                msg = pubsub.get_message(timeout=0.5)
            except _REDIS_DOWN + (ValueError,) as exc:  # ValueError: the socket was closed under us
                if self._closed.is_set():
                    break
                self._down(exc)
                first = False
                ready.set()  # start without Redis: the database log keeps the gallery current meanwhile
                _drop(pubsub)
                pubsub = None
                self._closed.wait(backoff * random.uniform(0.5, 1.0))  # jitter: nodes do not stampede
                backoff = min(backoff * 2, BACKOFF_MAX_S)
                continue
            if not msg:
                continue
            try:
                data = json.loads(msg["data"])
                if data.get("node") != self.node_id:  # our own change is applied already
                    handler(data)
            except Exception:  # noqa: BLE001 - one bad message must not stop the feed
                log.exception("gallery change message could not be applied")
        _drop(pubsub)

    def _up(self, first: bool) -> None:
        with self._state_lock:
            was_down = self.down_since
            self.connected, self.down_since, self.last_error = True, None, None
            if not first:
                self.reconnects += 1
        if was_down is not None:
            lost_s = (datetime.now(UTC) - was_down).total_seconds()
            log.warning("change feed reconnected to Redis after %.1f s; catching up from the database", lost_s)

    def _down(self, exc: BaseException) -> None:
        with self._state_lock:
            newly = self.connected or self.down_since is None
            self.connected = False
            self.last_error = type(exc).__name__  # never the message: it may carry the URL
            if self.down_since is None:
                self.down_since = datetime.now(UTC)
        if newly:
            log.warning("change feed lost Redis (%s); reconnecting with backoff", type(exc).__name__)

    def status(self) -> dict[str, object]:
        with self._state_lock:
            return {"connected": self.connected, "reconnects": self.reconnects, "last_error": self.last_error,
                    "down_since": self.down_since.isoformat() if self.down_since else None}

    def close(self) -> None:
        self._closed.set()
        if self._thread is not None:
            self._thread.join(5)
        self._client.close()


def _drop(pubsub: redis.client.PubSub | None) -> None:
    if pubsub is not None:
        try:
            pubsub.close()
        except Exception:  # noqa: BLE001 - closing a dead connection may fail; it is gone either way
            pass
