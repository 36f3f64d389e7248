"""/healthz (readiness: 503 while the face engine loads), and 503 instead of 500 while the database or Redis is down."""

from __future__ import annotations

from typing import Any, cast

from fastapi import FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from facegate.bootstrap import AppContext
from facegate.web.problems import problem

DOWN_EN = "A service this node depends on is unavailable; try again shortly."
DOWN_ZH = "本节点依赖的服务暂不可用，请稍后重试。"


def dependencies(ctx: AppContext) -> dict[str, dict[str, Any]]:
    """Each dependency with ``ok``; error class names only (a message could carry a URL with a password)."""
    deps: dict[str, dict[str, Any]] = {}
    try:
        with ctx.store.transaction(readonly=True) as tx:
            tx.record.head()
        deps["database"] = {"ok": True}
    except Exception as exc:  # noqa: BLE001 - any failure here means "down"; its name is reported
        deps["database"] = {"ok": False, "error": type(exc).__name__}
    engine = ctx.services.engine
    error = getattr(engine, "load_error", None)  # a LazyFaceEngine that failed to warm up
    if error is not None:
        deps["face_engine"] = {"ok": False, "error": error}
    elif not getattr(engine, "is_loaded", True):
        # Ready means face requests can be served (issue 14): not while the engine still loads. A node
        # started without `serve` (another ASGI server, a test) starts the load on the first probe.
        getattr(engine, "warm_up", lambda: None)()
        deps["face_engine"] = {"ok": False, "loading": True}
    if ctx.shared_gallery is not None:
        status = ctx.shared_gallery.status()
        feed, gallery = cast(dict[str, Any], status["feed"]), cast(dict[str, Any], status["gallery"])
        deps["redis"] = {"ok": bool(feed["connected"]), **feed}
        deps["gallery_sync"] = {"ok": gallery["sync_error"] is None, **gallery}
    return deps


def install(app: FastAPI, ctx: AppContext) -> None:
    @app.get("/healthz", tags=["ops"])
    async def healthz() -> JSONResponse:
        deps = await run_in_threadpool(dependencies, ctx)
        if all(d["ok"] for d in deps.values()):
            return JSONResponse({"status": "ok", "engine": ctx.services.engine.name, "dependencies": deps})
        return problem(503, "dependency_unavailable", DOWN_EN, DOWN_ZH, dependencies=deps, retry_after_s=5)

    async def _db_down(_: Request, exc: Exception) -> JSONResponse:
        # Only a lost or refused connection is "down"; other database errors stay 500s to be fixed.
        if isinstance(exc, DBAPIError) and not (exc.connection_invalidated or isinstance(exc, OperationalError)):
            return problem(500, "internal_error", "Something went wrong on our side.", "服务器内部错误。")
        return problem(503, "dependency_unavailable", DOWN_EN, DOWN_ZH, dependency="database", retry_after_s=5)

    app.add_exception_handler(DBAPIError, _db_down)
    app.add_exception_handler(PoolTimeout, _db_down)
