"""The access log's queue: bounded, never blocking, counting what it drops, drained at shutdown."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator

import pytest

from facegate.web.access_queue import ACCESS_LOGGER, offloaded_access_log

ACCESS = logging.getLogger(ACCESS_LOGGER)


class Sink(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.unblock = threading.Event()
        self.entered = threading.Event()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.entered.set()
        self.unblock.wait(10)
        self.lines.append(self.format(record))


@pytest.fixture
def sink() -> Iterator[Sink]:
    handler, level = Sink(), ACCESS.level
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))
    ACCESS.addHandler(handler)
    ACCESS.setLevel(logging.INFO)
    try:
        yield handler
    finally:
        handler.unblock.set()
        ACCESS.removeHandler(handler)
        ACCESS.setLevel(level)


def test_lines_are_written_unchanged_and_drained_at_shutdown(sink: Sink) -> None:
    with offloaded_access_log():
        assert sink not in ACCESS.handlers  # the listener thread owns the sink now
        for i in range(50):
            ACCESS.info("%s %s %s %.0fms %s", "GET", "/healthz", 200, i, "127.0.0.1")
        sink.unblock.set()
    assert sink.lines == [f"INFO facegate.access GET /healthz 200 {i}ms 127.0.0.1" for i in range(50)]
    assert sink in ACCESS.handlers and ACCESS.propagate  # as before


def test_a_dead_sink_drops_and_counts_lines_instead_of_blocking(sink: Sink) -> None:
    with offloaded_access_log(maxsize=3) as queued:
        try:
            ACCESS.info("line 0")
            assert sink.entered.wait(30)  # the sink holds line 0 and hangs
            for i in range(1, 20):  # three fit in the queue; the other sixteen are dropped, not waited for
                ACCESS.info("line %d", i)
            dropped = queued.dropped
        finally:
            sink.unblock.set()
    assert dropped == 16
    assert sink.lines[:4] == [f"INFO facegate.access line {i}" for i in range(4)]
    assert sink.lines[4:] == ["WARNING facegate.access 16 access log lines dropped: "
                              "the log sink was too slow and the queue was full"]  # at shutdown


def test_the_count_of_dropped_lines_comes_ahead_of_the_next_line_that_fits(sink: Sink) -> None:
    with offloaded_access_log(maxsize=2) as queued:
        try:
            ACCESS.info("first")
            assert sink.entered.wait(30)
            for word in ("second", "third", "fourth", "fifth"):  # two wait in the queue; two are dropped
                ACCESS.info(word)
        finally:
            sink.unblock.set()
        while len(sink.lines) < 2:  # the listener writes "second": the queue has room again
            threading.Event().wait(0.01)
        ACCESS.info("after")
    assert queued.dropped == 2
    assert sink.lines == ["INFO facegate.access first", "INFO facegate.access second", "INFO facegate.access third",
                          "WARNING facegate.access 2 access log lines dropped: the log sink was too slow and "
                          "the queue was full", "INFO facegate.access after"]


def test_the_asgi_entry_point_runs_the_queue_in_the_app_lifespan() -> None:
    import asyncio

    from facegate.web import asgi
    from facegate.web.access_queue import DroppingQueueHandler, access_log_lifespan

    async def during() -> list[logging.Handler]:
        async with access_log_lifespan(None):
            return list(ACCESS.handlers)

    assert any(isinstance(h, DroppingQueueHandler) for h in asyncio.run(during()))
    assert not any(isinstance(h, DroppingQueueHandler) for h in ACCESS.handlers)
    assert "app.router.lifespan_context = access_log_lifespan" in open(asgi.__file__, encoding="utf-8").read()
