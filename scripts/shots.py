"""What the README screenshot scripts share: a throwaway data directory, the real app served by uvicorn on a
free port in a thread, and Debian's Chromium ($FACEGATE_CHROMIUM overrides the path) driven by Playwright.

    run(__doc__, site, shoot)   # site(data_dir) -> (AppContext, extra); shoot(browser, url, extra, out)
"""

from __future__ import annotations

import argparse
import os
import socket
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "screenshots"
HOTEL, METRO = "westlake-hotel-front-desk", "line2-people-square-security"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu"]

T = TypeVar("T")


@contextmanager
def serve(app: Any) -> Iterator[str]:
    """``app`` on 127.0.0.1 and a free port in a thread of this process; yields its base URL."""
    import uvicorn

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the screenshot server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(20)


def run(doc: str | None, site: Callable[[Path], tuple[Any, T]], shoot: Callable[[Any, str, T, Path], None]) -> None:
    """Parse ``--out``, build the site in a temporary data directory, serve it, photograph it, clean up."""
    parser = argparse.ArgumentParser(description=(doc or "").splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    from playwright.sync_api import sync_playwright

    from facegate.web.app import create_app

    with tempfile.TemporaryDirectory(prefix="facegate-shots-") as tmp:
        ctx, extra = site(Path(tmp) / "data")
        try:
            with serve(create_app(ctx)) as url, sync_playwright() as p:
                browser = p.chromium.launch(executable_path=os.environ.get("FACEGATE_CHROMIUM", "/usr/bin/chromium"),
                                            args=CHROMIUM_ARGS)
                try:
                    shoot(browser, url, extra, args.out)
                finally:
                    browser.close()
        finally:
            ctx.close()
    print(f"screenshots written to {args.out}")
