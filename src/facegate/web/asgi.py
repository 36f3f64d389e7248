"""ASGI entry point for process managers: `uvicorn --factory --no-proxy-headers --http httptools --loop uvloop
facegate.web.asgi:app_from_env` (the parser and loop ``web.serving.uvicorn_options`` names for ``facegate serve``).

Pass ``--no-proxy-headers``: uvicorn otherwise believes ``X-Forwarded-For`` from any
caller on 127.0.0.1; the app trusts only ``FACEGATE_TRUSTED_PROXIES`` itself. Uvicorn's
access log (the path and query as sent, references in clear) is switched off here;
the app logs requests by route template on ``facegate.access``.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI

from facegate.bootstrap import build_context
from facegate.node import start_schedules
from facegate.settings import Settings
from facegate.web.access_queue import access_log_lifespan
from facegate.web.app import create_app


def app_from_env() -> FastAPI:
    """One node, configured entirely by FACEGATE_* variables; it runs the retention purge too (M-8.5)."""
    logging.getLogger("uvicorn.access").disabled = True  # see the module docstring
    ctx = build_context(Settings())
    start_schedules(ctx)
    app = create_app(ctx)
    app.router.lifespan_context = access_log_lifespan  # access lines off the event loop, drained at shutdown
    return app
