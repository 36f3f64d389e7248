"""create_app(ctx): the FastAPI application over one AppContext."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.concurrency import run_in_threadpool
from starlette.types import Scope

from facegate import __version__
from facegate.adapters.counters import MemoryCounters
from facegate.bootstrap import AppContext
from facegate.errors import Unavailable
from facegate.web import apidocs, console, health, kiosk, problems
from facegate.web.guard import InputGuard
from facegate.web.serving import AccessLog, ErrorBoundary, ProxyHeaders, parse_proxies
from facegate.web.routes import admin, consents, deployments, faces, liveness, locks


def create_app(ctx: AppContext) -> FastAPI:
    app = FastAPI(
        title="facegate",
        version=__version__,
        description="Face recognition under China's 2025 face recognition Measures: every operation passes the gate.",
        docs_url=None, redoc_url=None,  # apidocs serves /docs from the package, never from a CDN
    )
    app.state.ctx = ctx
    # Browsers get pages (in both languages), API clients problem+json (issue 16 item 5).
    problems.install(app, kiosk.browser_error, kiosk.is_browser)
    apidocs.install(app)
    for module in (deployments, faces, liveness, consents, admin, locks, kiosk, console):
        app.include_router(module.router)

    def client_blocked(scope: Scope) -> bool:
        client = scope.get("client")
        try:
            return ctx.defence.is_client_blocked(str(client[0]) if isinstance(client, tuple | list) else "unknown")
        except Unavailable:  # counters down: the route's own admission check answers 503, not this middleware's 500
            return False

    async def is_client_blocked(scope: Scope) -> bool:
        if isinstance(ctx.defence.counters, MemoryCounters):  # no I/O: answered on the event loop
            return client_blocked(scope)
        # Shared counters (Redis) are never read on the event loop: a slow or hung Redis would stall every
        # request of the node, /healthz too (issue 14). Every /v1 route authenticates, and auth.principal_of
        # refuses a blocked client before anything else, in the thread-pool hop it makes anyway; other paths
        # are checked here, in the thread pool.
        if str(scope.get("path", "")).startswith("/v1/"):
            return False
        return await run_in_threadpool(client_blocked, scope)

    # Added innermost first: errors -> caller's address -> access log -> input guard -> routes.
    app.add_middleware(InputGuard, is_client_blocked=is_client_blocked)
    app.add_middleware(AccessLog)
    app.add_middleware(ProxyHeaders, proxies=parse_proxies(ctx.settings.trusted_proxies))
    app.add_middleware(ErrorBoundary)

    health.install(app, ctx)  # /healthz with each dependency; 503 dependency_unavailable while one is down

    return app
