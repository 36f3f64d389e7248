"""ASGI entry point for process managers: `uvicorn --factory facegate.web.asgi:app_from_env`."""

from __future__ import annotations

from fastapi import FastAPI

from facegate.bootstrap import build_context
from facegate.settings import Settings
from facegate.web.app import create_app


def app_from_env() -> FastAPI:
    """One node, configured entirely by FACEGATE_* variables."""
    return create_app(build_context(Settings()))
