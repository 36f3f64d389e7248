"""The access log never stalls the event loop: a slow log sink must not hold up other requests.

At info level (production) ``AccessLog`` wrote its line synchronously on the event loop, so a
blocked sink (a full disk, a stuck pipe to journald or docker) stalled every request of the node,
/healthz too. The line now goes through a bounded queue to a listener thread that owns the handlers.
"""

from __future__ import annotations

import http.client
import logging
import threading
from collections.abc import Iterator
from urllib.parse import urlparse

import pytest

from facegate.bootstrap import AppContext
from facegate.web.app import create_app
from facegate.web.local_server import serve_in_thread

ACCESS = logging.getLogger("facegate.access")


class BlockingHandler(logging.Handler):
    """A sink that hangs until released, as a full disk or a blocked pipe does."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.unblock = threading.Event()
        self.entered = threading.Event()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.entered.set()
        self.unblock.wait(60)
        self.lines.append(record.getMessage())


@pytest.fixture
def blocked_sink() -> Iterator[BlockingHandler]:
    handler, level = BlockingHandler(), ACCESS.level
    ACCESS.addHandler(handler)
    ACCESS.setLevel(logging.INFO)
    try:
        yield handler
    finally:
        handler.unblock.set()
        ACCESS.removeHandler(handler)
        ACCESS.setLevel(level)


def _get(base: str, path: str) -> int:
    url = urlparse(base)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=15)  # a hang, not a speed limit
    try:
        conn.request("GET", path)
        return conn.getresponse().status
    finally:
        conn.close()


def test_a_blocked_log_sink_does_not_stall_other_requests(fake_ctx: AppContext,
                                                           blocked_sink: BlockingHandler) -> None:
    with serve_in_thread(create_app(fake_ctx)) as base:
        try:
            _get(base, "/healthz")  # answered; its access line now hangs in the sink
            assert blocked_sink.entered.wait(15), "the access line never reached the sink"
            assert _get(base, "/healthz") in (200, 503)  # before: timed out, the loop was stuck in emit
            assert _get(base, "/v1/deployments") == 401
        finally:
            blocked_sink.unblock.set()  # shutdown drains the queue into the sink
    assert len(blocked_sink.lines) == 3, blocked_sink.lines  # nothing lost at shutdown
    assert all(line.startswith("GET /") for line in blocked_sink.lines), blocked_sink.lines
