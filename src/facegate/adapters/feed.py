"""Redis pub/sub change feed: a delete or withdrawal on one node reaches every other node's gallery."""

from __future__ import annotations

import json
import logging
import threading
import uuid
from collections.abc import Callable

import redis

log = logging.getLogger(__name__)
CHANNEL = "facegate:gallery"


class RedisChangeFeed:
    """Publishes gallery changes and runs one listener thread that hands remote ones to a handler."""

    def __init__(self, url: str, channel: str = CHANNEL) -> None:
        self.node_id = uuid.uuid4().hex
        self._client = redis.Redis.from_url(url)
        self._channel = channel
        self._pubsub: redis.client.PubSub | None = None
        self._thread: threading.Thread | None = None

    def __repr__(self) -> str:
        return f"RedisChangeFeed(channel={self._channel!r}, node={self.node_id[:8]})"

    def publish(self, message: dict[str, object]) -> None:
        self._client.publish(self._channel, json.dumps({**message, "node": self.node_id}))

    def subscribe(self, handler: Callable[[dict[str, object]], None]) -> None:
        self._pubsub = self._client.pubsub(ignore_subscribe_messages=True)
        self._pubsub.subscribe(self._channel)
        ready = threading.Event()

        def listen() -> None:
            assert self._pubsub is not None
            ready.set()
            while self._pubsub is not None:
                try:
                    msg = self._pubsub.get_message(timeout=0.5)
                except (redis.ConnectionError, ValueError):
                    break  # closed
                if not msg:
                    continue
                data = json.loads(msg["data"])
                if data.get("node") == self.node_id:
                    continue  # our own change, already applied
                try:
                    handler(data)
                except Exception:  # noqa: BLE001 - one bad message must not stop the feed
                    log.exception("gallery change could not be applied")

        self._thread = threading.Thread(target=listen, name="facegate-feed", daemon=True)
        self._thread.start()
        ready.wait(5)

    def close(self) -> None:
        pubsub, self._pubsub = self._pubsub, None
        if pubsub is not None:
            pubsub.close()
        self._client.close()
