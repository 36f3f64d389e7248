"""Every /v1 request is authenticated, rate-limited and authorised (M-14.3, M-14.4, M-14.5).

Keys come as ``Authorization: Bearer fg_...`` (or ``X-API-Key``). Failures and
revoked keys feed intrusion defence; its detections go into the record.

``require`` is an async dependency: when the key is in the key cache (services/key_cache.py)
and the counters live in this process, checking it is pure computation and runs on the event
loop, saving a thread-pool hop per request; otherwise (a database read, Redis) it runs in the
thread pool. Security events found on the fast path are written from the thread pool too, so
nothing blocks the event loop. ``require_in_hop`` is for routes that go to the thread pool for their
work anyway (the face routes): the check that cannot run inline runs first in that same hop, so a
face request makes one hop, not two, also with Redis counters (issue 14).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from typing import TypeVar

from fastapi import Request
from fastapi.concurrency import run_in_threadpool

from facegate.adapters.counters import MemoryCounters
from facegate.domain.access import Permission, Principal, authorize, parse_api_key
from facegate.domain.intrusion import SecurityEvent
from facegate.errors import FacegateError, Unauthorized
from facegate.services.access import authenticate
from facegate.services.security import record_security_events
from facegate.web.deps import app_ctx

Note = Callable[[Iterable[SecurityEvent]], None]
R = TypeVar("R")


def _token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip()
    return request.headers.get("x-api-key")


def client_of(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def wrong_secret(request: Request, kind: str, key_id: str | None = None) -> None:
    """Count a wrong console key, pairing key or receipt code against the caller and record what it shows."""
    ctx = app_ctx(request)
    record_security_events(ctx.store, ctx.defence.wrong_secret(kind=kind, client=client_of(request), key_id=key_id))


def principal_of(request: Request, note: Note | None = None) -> Principal:
    """Authenticate once per request and apply the per-key, per-client and per-subject limits.

    ``note`` receives the security events to record (default: written to the store at once).
    """
    cached: Principal | None = getattr(request.state, "principal", None)
    if cached is not None:
        return cached
    ctx = app_ctx(request)
    if note is None:
        def note(events: Iterable[SecurityEvent]) -> None:
            record_security_events(ctx.store, events)
    client = client_of(request)
    # A blocked client is refused before any lookup. Only checked here, not counted: admit() below counts
    # the request against the per-client limit once (counting it here too halved that limit, M-14.5).
    ctx.defence.client_block(client).raise_if_refused()
    token = _token(request)
    try:
        if not token:
            raise Unauthorized("key_missing", "An API key is required.", "需要 API 密钥。", article_id="M-14.3")
        principal, _ = authenticate(ctx.services, token)
    except Unauthorized as exc:
        key_id = str(exc.detail.get("key_id") or "") or None
        events = (ctx.defence.revoked_key_used(key_id=key_id or "?", client=client) if exc.code == "key_revoked"
                  else ctx.defence.auth_failed(key_id=key_id, client=client))
        note(events)
        raise
    subject = request.query_params.get("subject_ref") or request.path_params.get("subject_ref")
    deployment = request.path_params.get("deployment_id", "")
    subject_key = ctx.services.keys.keyed_hash(f"limit|{deployment}|{subject}") if subject else None
    operation = str(request.scope["path"]).rsplit("/", 1)[-1]  # not request.url: building it costs more
    decision = ctx.defence.admit(key_id=principal.key_id, client=client, subject_ref=subject_key, operation=operation)
    note(decision.events)
    decision.raise_if_refused()
    request.state.principal = principal
    request.state.actor = principal.key_id
    request.state.client = client
    return principal


def check(request: Request, permission: Permission, deployment_id: str | None, note: Note | None = None) -> Principal:
    """Authorise one permission on one deployment (None: across deployments, needs scope '*')."""
    principal = principal_of(request, note)
    authorize(principal, permission, deployment_id)
    return principal


def answers_inline(request: Request) -> bool:
    """Can the key be checked without I/O: already checked, or cached with in-process counters?"""
    if getattr(request.state, "principal", None) is not None:
        return True
    ctx = app_ctx(request)
    if not isinstance(ctx.defence.counters, MemoryCounters):
        return False
    token = _token(request)
    try:
        return bool(token) and ctx.services.key_cache.get(parse_api_key(token or "")[0]) is not None
    except FacegateError:  # malformed: the slow path answers it, with its counting and recording
        return False


def require(permission: Permission) -> Callable[[Request], Awaitable[Principal]]:
    """A dependency: the permission on the route's ``{deployment_id}``, or across all if it has none."""

    async def dependency(request: Request) -> Principal:
        deployment_id = request.path_params.get("deployment_id")
        if not answers_inline(request):
            return await run_in_threadpool(check, request, permission, deployment_id)
        pending: list[SecurityEvent] = []
        try:
            return check(request, permission, deployment_id, pending.extend)
        finally:
            if pending:  # rare (a limit first crossed): written off the event loop, before the answer
                await run_in_threadpool(record_security_events, app_ctx(request).store, pending)

    return dependency


class WorkHop:
    """The route's one thread-pool hop; the authentication ``require_in_hop`` left for it runs first in it."""

    def __init__(self, request: Request, permission: Permission, deployment_id: str | None, checked: bool) -> None:
        self._request, self._permission, self._deployment_id = request, permission, deployment_id
        self._checked = checked

    async def run(self, work: Callable[[], R]) -> R:
        if self._checked:
            return await run_in_threadpool(work)

        def checked_work() -> R:
            check(self._request, self._permission, self._deployment_id)  # refuses before any work is done
            return work()

        return await run_in_threadpool(checked_work)


def require_in_hop(permission: Permission) -> Callable[[Request], Awaitable[WorkHop]]:
    """Like ``require``, for a route that does its work through ``WorkHop.run``, and must: until then,
    a request that could not be checked inline is not authenticated. The body is read first (within its cap)."""

    inline = require(permission)

    async def dependency(request: Request) -> WorkHop:
        deployment_id = request.path_params.get("deployment_id")
        if answers_inline(request):
            await inline(request)
            return WorkHop(request, permission, deployment_id, checked=True)
        return WorkHop(request, permission, deployment_id, checked=False)

    return dependency
