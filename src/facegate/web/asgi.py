"""ASGI entry point for process managers: `uvicorn --factory facegate.web.asgi:app_from_env`."""

from __future__ import annotations

from fastapi import FastAPI

from facegate.bootstrap import build_context
from facegate.node import start_schedules
from facegate.settings import Settings
from facegate.web.app import create_app


def app_from_env() -> FastAPI:
    """One node, configured entirely by FACEGATE_* variables; it runs the retention purge too (M-8.5)."""
    ctx = build_context(Settings())
    start_schedules(ctx)
    return create_app(ctx)
