"""What every request passes before any route: size caps, text the stores can hold, blocked clients.

A pure ASGI middleware (no BaseHTTPMiddleware: it would buffer image bodies and
break streaming). Refusals are problem+json with stable codes:

    uri_too_long   414  path over MAX_PATH or query over MAX_QUERY characters
    text_invalid   422  a control character in the path or query, or NUL in a JSON body
    body_too_large 413  a JSON body over MAX_TEXT_BODY bytes (images have their own cap)
    rate_limited   429  the client address is blocked by intrusion defence (M-14.5), on every path:
                        console login, kiosk pairing, self-service and cookie sessions included
                        (with Redis counters, /v1 paths leave it to auth.principal_of: see web.app)
"""

from __future__ import annotations

import unicodedata
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import unquote_to_bytes

from facegate.web.problems import problem

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

MAX_PATH = 2048
MAX_QUERY = 8192
MAX_TEXT_BODY = 1024 * 1024
# Liveness frames come as base64 in JSON; that route caps its own body by frame count (routes/liveness.py).
FRAMES_SUFFIX = "/verify/live"
MAX_FRAMES_BODY = 32 * 1024 * 1024
# JSON only: form fields reach code that answers with a page (kiosk, console), and the store refuses NUL
# there itself (adapters.sql.engine) with the same code.
TEXT_TYPES = ("application/json",)
# Paths that must answer even for a blocked client: liveness for the process manager.
UNBLOCKABLE = ("/healthz",)


def _has_control(text: str) -> bool:
    return any(unicodedata.category(ch) == "Cc" for ch in text)


def _text_invalid(where: str) -> Any:
    return problem(422, "text_invalid", f"The {where} contains a control character, which is not allowed.",
                   "请求中含有不允许的控制字符。", where=where)


def _body_has_nul(body: bytes) -> bool:
    return b"\x00" in body or b"\\u0000" in body.lower()


class InputGuard:
    """Refuses what no route could handle safely, before any route or driver sees it."""

    def __init__(self, app: ASGIApp, is_client_blocked: Callable[[Scope], Awaitable[bool]] | None = None) -> None:
        """``is_client_blocked`` is awaited: it must not block the event loop (no Redis call on it)."""
        self.app = app
        self.is_client_blocked = is_client_blocked

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")
        query: bytes = scope.get("query_string", b"")
        refusal = None
        if len(path) > MAX_PATH or len(query) > MAX_QUERY:
            refusal = problem(414, "uri_too_long", "The address is too long.", "请求地址过长。",
                              limit=MAX_PATH if len(path) > MAX_PATH else MAX_QUERY)
        elif _has_control(path):
            refusal = _text_invalid("path")
        elif _has_control(unquote_to_bytes(query.replace(b"+", b" ")).decode("utf-8", "replace")):
            refusal = _text_invalid("query")
        elif self.is_client_blocked is not None and path not in UNBLOCKABLE and await self.is_client_blocked(scope):
            refusal = problem(429, "rate_limited", "Too many failed attempts from this address; try again later.",
                              "此地址失败次数过多，请稍后再试。", article_id="M-14.5", limit="client_blocked")
        if refusal is not None:
            await refusal(scope, receive, send)
            return
        content_type = _header(scope, b"content-type")
        if scope.get("method") in ("POST", "PUT", "PATCH") and content_type.startswith(TEXT_TYPES):
            await self._checked_body(scope, receive, send, MAX_FRAMES_BODY if path.endswith(FRAMES_SUFFIX)
                                     else MAX_TEXT_BODY)
            return
        await self.app(scope, receive, send)

    async def _checked_body(self, scope: Scope, receive: Receive, send: Send, limit: int = MAX_TEXT_BODY) -> None:
        """Read a small text body once, check it, and replay it to the route unchanged."""
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":  # client went away
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                await problem(413, "body_too_large", f"The request body is larger than {limit} bytes.",
                              f"请求正文大于{limit}字节。", limit=limit)(scope, receive, send)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        if _body_has_nul(body):
            await _text_invalid("body")(scope, receive, send)
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


def _header(scope: Scope, name: bytes) -> str:
    for key, value in scope.get("headers", ()):
        if key.lower() == name:
            return bytes(value).decode("latin-1").lower()
    return ""
