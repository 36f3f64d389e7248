"""Who is signed in (name and role of the key) and the confirmation page for irreversible console actions.

Signing an assessment off, revoking a key and lifting a lock cannot be undone, so the
first POST renders a page that says what will happen and under whose name; only a POST
with ``confirm=yes`` acts (issue 16 item 8). No script is involved (the console's CSP
forbids scripts), so it works the same with JavaScript off.
"""

from __future__ import annotations

from collections.abc import Mapping

from fastapi import Request
from starlette.datastructures import FormData

from facegate.domain.access import ApiKey
from facegate.errors import Unauthorized
from facegate.services.workbench.assessment import Signer
from facegate.web.deps import app_ctx


def signed_in_key(request: Request) -> ApiKey:
    """The key behind the session (console_access has checked it and put its id in request.state.actor)."""
    key_id = str(getattr(request.state, "actor", "") or "")
    with app_ctx(request).services.store.transaction(readonly=True) as tx:
        key = tx.api_keys.get(key_id) if key_id else None
    if key is None:
        raise Unauthorized("console_login_required", "Please sign in with your API key at /console/login.",
                           "请在 /console/login 使用 API 密钥登录。", article_id="M-14.3")
    return key


def signer_of(request: Request) -> Signer:
    key = signed_in_key(request)
    return Signer(key.name, key.role.value, key.key_id)


def is_confirmed(form: FormData | Mapping[str, str]) -> bool:
    return str(form.get("confirm") or "") == "yes"
