"""What the README screenshot scripts share: a throwaway data directory, the real app served by uvicorn on a
free port in a thread, and Debian's Chromium ($FACEGATE_CHROMIUM overrides the path) driven by Playwright.

    run(__doc__, site, shoot)   # site(data_dir) -> (AppContext, extra); shoot(browser, url, extra, out)
"""

from __future__ import annotations

import argparse
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from facegate.web.local_server import serve_in_thread

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "screenshots"
HOTEL, METRO = "westlake-hotel-front-desk", "line2-people-square-security"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu"]

T = TypeVar("T")


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
            with serve_in_thread(create_app(ctx)) as url, sync_playwright() as p:
                browser = p.chromium.launch(executable_path=os.environ.get("FACEGATE_CHROMIUM", "/usr/bin/chromium"),
                                            args=CHROMIUM_ARGS)
                try:
                    shoot(browser, url, extra, args.out)
                finally:
                    browser.close()
        finally:
            ctx.close()
    print(f"screenshots written to {args.out}")
