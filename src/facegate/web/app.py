"""create_app(ctx): the FastAPI application over one AppContext."""

from __future__ import annotations

from fastapi import FastAPI

from facegate import __version__
from facegate.bootstrap import AppContext
from facegate.errors import Unavailable
from facegate.web import console, health, kiosk, problems
from facegate.web.guard import InputGuard
from facegate.web.routes import admin, consents, deployments, faces, liveness


def create_app(ctx: AppContext) -> FastAPI:
    app = FastAPI(
        title="facegate",
        version=__version__,
        description="Face recognition under China's 2025 face recognition Measures: every operation passes the gate.",
    )
    app.state.ctx = ctx
    problems.install(app)
    for module in (deployments, faces, liveness, consents, admin, kiosk, console):
        app.include_router(module.router)

    def is_client_blocked(scope: dict[str, object]) -> bool:
        client = scope.get("client")
        try:
            return ctx.defence.is_client_blocked(str(client[0]) if isinstance(client, tuple | list) else "unknown")
        except Unavailable:  # counters down: the route's own admission check answers 503, not this middleware's 500
            return False

    app.add_middleware(InputGuard, is_client_blocked=is_client_blocked)

    health.install(app, ctx)  # /healthz with each dependency; 503 dependency_unavailable while one is down

    return app
