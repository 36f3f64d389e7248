"""The access log leaves the event loop: a bounded queue on the request path, a listener thread that writes.

At info level (production) ``AccessLog`` logs one line per request. Written on the event loop, a slow
sink (a full disk, a blocked pipe to journald or docker) stalled every request of the node, /healthz too.
While ``offloaded_access_log()`` is active, the ``facegate.access`` logger holds only a ``QueueHandler``;
the handlers that would have written its lines (its own, and those its lines propagated to) belong to a
``QueueListener`` thread. What is logged is unchanged: same logger, level, message and handlers; only the
thread that writes differs. Stopping drains the queue, so nothing queued is lost at shutdown.

``facegate serve`` and ``local_server.serve_in_thread`` run under it; ``asgi.app_from_env`` through the
app's lifespan (``access_log_lifespan``).
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from logging.handlers import QueueHandler, QueueListener
from typing import Any

ACCESS_LOGGER = "facegate.access"
QUEUE_LINES = 10_000  # about 3 MB of pending lines at most; seconds of traffic at the node's request rates


class DroppingQueueHandler(QueueHandler):
    """Puts lines on a bounded queue without ever waiting; a full queue drops the line and counts it.

    Why drop rather than block: this runs on the event loop, and waiting for room there is the very stall
    the queue exists to end; a dead sink would stop the node instead of its log. Why bounded: an unbounded
    queue behind a dead sink grows until the process is killed for its memory.
    The count is visible twice: ``dropped`` (lines dropped since start), and a warning line on
    ``facegate.access`` ("N access log lines dropped ...") written ahead of the next line that fits.
    """

    def __init__(self, lines: queue.Queue[Any]) -> None:
        super().__init__(lines)
        self.dropped = 0
        self.unreported = 0

    def _put(self, record: logging.LogRecord) -> bool:
        try:
            self.queue.put_nowait(record)
        except queue.Full:
            return False
        return True

    def enqueue(self, record: logging.LogRecord) -> None:
        # Called under this handler's lock (Handler.handle), so the counts need no lock of their own.
        if self.unreported and self._put(self.prepare(dropped_notice(self.unreported))):
            self.unreported = 0
        if not self._put(record):
            self.dropped += 1
            self.unreported += 1


class _Listener(QueueListener):
    def __init__(self, lines: queue.Queue[Any], *handlers: logging.Handler) -> None:
        super().__init__(lines, *handlers, respect_handler_level=True)
        self.lines = lines

    def enqueue_sentinel(self) -> None:
        # The stock one uses put_nowait and raises on a full queue. Stopping is off the request path and
        # waits for the writer anyway (it joins the thread), so waiting for room here loses nothing.
        self.lines.put(None)  # QueueListener's sentinel


def dropped_notice(count: int) -> logging.LogRecord:
    return logging.getLogger(ACCESS_LOGGER).makeRecord(
        ACCESS_LOGGER, logging.WARNING, __file__, 0,
        "%d access log lines dropped: the log sink was too slow and the queue was full", (count,), None)


def _sinks(logger: logging.Logger) -> list[logging.Handler]:
    """The handlers a line on ``logger`` reaches now, in the order logging calls them (Logger.callHandlers)."""
    found: list[logging.Handler] = []
    current: logging.Logger | None = logger
    while current is not None:
        found.extend(current.handlers)
        if not current.propagate:
            break
        current = current.parent
    if not found and logging.lastResort is not None:
        found.append(logging.lastResort)  # what logging falls back to when no handler is found
    return found


class _Offload:
    """One listener per process, shared by nested or concurrent users (several servers in one test run)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.users = 0
        self.handler: DroppingQueueHandler | None = None
        self.listener: _Listener | None = None
        self.own: list[logging.Handler] = []
        self.propagate = True

    def start(self, maxsize: int) -> DroppingQueueHandler:
        with self.lock:
            self.users += 1
            if self.handler is None:
                logger = logging.getLogger(ACCESS_LOGGER)
                lines: queue.Queue[Any] = queue.Queue(maxsize)
                self.listener = _Listener(lines, *_sinks(logger))
                self.own, self.propagate = list(logger.handlers), logger.propagate
                self.handler = DroppingQueueHandler(lines)
                for h in self.own:
                    logger.removeHandler(h)
                logger.addHandler(self.handler)
                logger.propagate = False
                self.listener.start()
            return self.handler

    def stop(self) -> None:
        with self.lock:
            self.users -= 1
            if self.users or self.handler is None or self.listener is None:
                return
            logger, handler = logging.getLogger(ACCESS_LOGGER), self.handler
            # Handlers back first, then drain: a line logged in between is written directly, not stranded.
            logger.removeHandler(handler)
            for h in self.own:
                logger.addHandler(h)
            logger.propagate = self.propagate
            listener, self.handler, self.listener = self.listener, None, None
            listener.stop()  # writes every queued line, then joins the thread
            if handler.unreported:
                logger.handle(dropped_notice(handler.unreported))


_offload = _Offload()


@contextmanager
def offloaded_access_log(maxsize: int = QUEUE_LINES) -> Iterator[DroppingQueueHandler]:
    """Access lines go through the queue until the block ends; yields the handler (``dropped`` counts)."""
    handler = _offload.start(maxsize)
    try:
        yield handler
    finally:
        _offload.stop()


@asynccontextmanager
async def access_log_lifespan(app: Any) -> AsyncIterator[None]:
    """The same, for servers that run the app's lifespan (``uvicorn --factory facegate.web.asgi:app_from_env``)."""
    with offloaded_access_log():
        yield
