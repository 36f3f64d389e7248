"""The app served by uvicorn on 127.0.0.1 and a free port, in a thread of this process.

For the browser tests and the README screenshot scripts, which drive a real browser against the real
app; production runs `facegate serve` instead.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serve_in_thread(app: Any, *, start_timeout_s: float = 20) -> Iterator[str]:
    """Run ``app`` until the block ends; yields its base URL once uvicorn has started, or raises RuntimeError."""
    import uvicorn  # only the callers that serve pay for it

    from facegate.web.access_queue import offloaded_access_log

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                                           ws="none", lifespan="off", access_log=False))
    thread = threading.Thread(target=server.run, name=f"facegate-local-{port}", daemon=True)
    with offloaded_access_log():  # as `facegate serve`: access lines are written off the event loop
        thread.start()
        deadline = time.monotonic() + start_timeout_s
        while not server.started:
            if time.monotonic() > deadline or not thread.is_alive():
                raise RuntimeError(f"the local server on port {port} did not start")
            time.sleep(0.05)
        try:
            yield f"http://127.0.0.1:{port}"
        finally:
            server.should_exit = True
            thread.join(start_timeout_s)
