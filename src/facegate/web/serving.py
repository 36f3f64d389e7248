"""How the app meets the socket: who the caller is, what the access log says, and errors that keep the connection.

- ``ProxyHeaders``: ``X-Forwarded-For`` is believed only from the proxies named in
  ``FACEGATE_TRUSTED_PROXIES`` (none by default). Uvicorn's own proxy handling trusts
  any caller on 127.0.0.1, which let a local process pick its address per request and
  walk around the per-address limits (M-14.5); ``uvicorn_options`` turns it off.
- ``AccessLog``: one line per request with the route's template (``/v1/deployments/
  {deployment_id}/subjects/{subject_ref:path}``), never the path or query as sent,
  so subject references never reach the log in clear (M-9.3 keeps only pseudonyms).
  Under ``facegate serve`` the line is written by a thread, off the event loop (``web.access_queue``).
- ``ErrorBoundary``: an unhandled error becomes a 500 problem and the request ends
  normally; letting it escape made uvicorn close the keep-alive connection, so the
  client's next request on it was reset.
"""

from __future__ import annotations

import ipaddress
import logging
import time
import traceback
from collections.abc import Sequence
from typing import Any

from facegate.web.guard import ASGIApp, Message, Receive, Scope, Send
from facegate.web.problems import problem

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
access_log = logging.getLogger("facegate.access")
error_log = logging.getLogger("facegate.errors")


def parse_proxies(text: str) -> tuple[Network, ...]:
    """``"10.0.0.5, 10.1.0.0/16"`` -> networks; an empty string trusts no proxy."""
    return tuple(ipaddress.ip_network(part.strip(), strict=False) for part in text.split(",") if part.strip())


def _is_trusted(host: str, proxies: Sequence[Network]) -> bool:
    try:
        addr = ipaddress.ip_address(host)
    except ValueError:
        return False
    return any(addr in net for net in proxies)


def forwarded_client(peer: str, header: str, proxies: Sequence[Network]) -> str:
    """The caller's address: the peer, unless it is a trusted proxy; then the nearest untrusted hop."""
    if not _is_trusted(peer, proxies):
        return peer
    for hop in reversed([h.strip() for h in header.split(",") if h.strip()]):
        if not _is_trusted(hop, proxies):
            try:
                return str(ipaddress.ip_address(hop))
            except ValueError:
                return peer  # garbage from the far side of the proxy: keep what we know
    return peer


class ProxyHeaders:
    def __init__(self, app: ASGIApp, proxies: Sequence[Network] = ()) -> None:
        self.app = app
        self.proxies = tuple(proxies)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and self.proxies and scope.get("client"):
            header = ",".join(bytes(v).decode("latin-1") for k, v in scope.get("headers", ())
                              if k.lower() == b"x-forwarded-for")
            if header:
                peer, port = scope["client"]
                scope["client"] = (forwarded_client(str(peer), header, self.proxies), port)
        await self.app(scope, receive, send)


def _route_template(scope: Scope) -> str:
    route = scope.get("route")
    template = getattr(route, "path", None)
    if not template:
        return "(no route)"
    deployment = scope.get("path_params", {}).get("deployment_id")
    if isinstance(deployment, str) and len(deployment) <= 64 and deployment.isprintable():
        template = template.replace("{deployment_id}", deployment)
    return str(template)


class AccessLog:
    """Method, route template, status, milliseconds, client: nothing that names a person."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started, status = time.perf_counter(), 0

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            client = scope.get("client") or ("-", 0)
            access_log.info("%s %s %s %.0fms %s", scope.get("method"), _route_template(scope), status or 500,
                            (time.perf_counter() - started) * 1000, client[0])


class ErrorBoundary:
    """Turns an unhandled error into a 500 problem without tearing down the connection."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def sending(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, sending)
        except Exception as exc:  # noqa: BLE001 - the boundary: everything unexpected ends here
            # Type and traceback, not the message: driver errors quote their parameters (references).
            error_log.error("unhandled %s on %s %s\n%s", type(exc).__name__, scope.get("method"),
                            _route_template(scope), "".join(traceback.format_tb(exc.__traceback__)))
            if started:
                raise  # half a response is out: only closing the connection ends it honestly
            await problem(500, "internal_error", "Something went wrong on our side.", "服务器内部错误。")(
                scope, receive, send)


def _event_loop() -> str:
    try:
        import uvloop  # noqa: F401
    except ImportError:  # no build for Windows: asyncio's own loop
        return "asyncio"
    return "uvloop"


def uvicorn_options(log_level: str = "info") -> dict[str, Any]:
    """Options for every uvicorn that serves facegate: our middleware owns proxies and the access log.

    The C HTTP parser (httptools) and the libuv loop (uvloop) are named, not left to uvicorn's
    "auto", which falls back to pure-Python h11 and asyncio without a word when they are missing:
    those cost about a fifth of the HTTP layer's time per request (issue 14).
    """
    import copy

    import httptools  # noqa: F401 - a dependency; imported so a broken install fails here, not silently
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config["loggers"]["facegate"] = {"handlers": ["default"], "level": log_level.upper(), "propagate": False}
    return {"proxy_headers": False, "access_log": False, "server_header": False, "log_level": log_level,
            "log_config": config, "http": "httptools", "loop": _event_loop()}
