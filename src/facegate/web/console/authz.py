"""Per-action authorisation for the console's everyday tools (issue 16 item 10; M-14.3).

``console_access`` (the workbench API) wants keys that read across all deployments and asks
``deployment_write`` for every change. The console's pages take :func:`console_principal`,
which also admits a key scoped to some deployments; each page then shows only those and
checks each change against the deployment it touches (M-14.3). The clerk's and the officer's tools need finer rights: an operator lifts a
lock (``lock_lift``) in the deployments of its scope, only an admin issues keys
(``key_manage``), an auditor browses the record (``read_records``). So these routes
take :func:`console_principal` (signed in, may read reports) and each one asks for
its own permission, within the deployment's scope where there is one.
"""

from __future__ import annotations

from fastapi import Request

from facegate.domain.access import ALL, Permission, Principal, authorize
from facegate.errors import Unauthorized
from facegate.web import sessions
from facegate.web.auth import principal_of
from facegate.web.deps import app_ctx

COOKIE = "fg_console"  # web.console.access.COOKIE


def console_principal(request: Request) -> Principal:
    """The caller by header or by the console cookie; any console key (reads reports) passes."""
    if request.headers.get("authorization") or request.headers.get("x-api-key"):
        principal = principal_of(request)
    else:
        key = sessions.verified_key(app_ctx(request).services, "console", request.cookies.get(COOKIE, ""))
        if key is None:
            raise Unauthorized("console_login_required", "Please sign in with your API key at /console/login.",
                               "请在 /console/login 使用 API 密钥登录。", article_id="M-14.3")
        principal = key.principal()
    require_console_role(principal)
    request.state.actor = principal.key_id
    return principal


def require_console_role(principal: Principal) -> None:
    """A console key reads reports in at least one deployment of its scope; which ones, each page checks."""
    authorize(principal, Permission.READ_REPORTS, None if ALL in principal.scopes else min(principal.scopes))


def allowed(principal: Principal, permission: Permission, deployment_id: str | None = None) -> bool:
    try:
        authorize(principal, permission, deployment_id)
    except Exception:  # noqa: BLE001 - Forbidden: the page hides what the key may not do
        return False
    return True
