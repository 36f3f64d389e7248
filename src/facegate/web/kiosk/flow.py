"""One guest's progress through the kiosk, kept in a sealed cookie that the next guest never inherits.

The cookie holds the step's state (the receipt to show once, a new reference, a claim code proven by a
face match, the alternative's outcome) sealed with AES-GCM under a key derived from the record key, so
every node can read it and the browser cannot read or change it. It lives at most ``FLOW_MINUTES`` and
is deleted by "Finish - next person" and by the idle reset (issue 16 item 1). Pages render from it on
GET, so the language switch and the back button show the same step (POST-redirect-GET, item 2).
"""

from __future__ import annotations

import base64
import json
import os
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from fastapi import Request
from fastapi.responses import Response

from facegate.web.deps import app_ctx

FLOW_MINUTES = 15  # as long as a capture window may stay open (services.person.FORM_TOKEN_TTL)


def cookie_name(deployment_id: str) -> str:
    return "fg_flow_" + "".join(c if c.isalnum() else "_" for c in deployment_id)


def _aead(request: Request) -> AESGCM:
    return AESGCM(bytes.fromhex(app_ctx(request).services.keys.keyed_hash("kiosk-flow-cookie|v1")))


def _aad(deployment_id: str) -> bytes:
    return f"kiosk-flow|{deployment_id}".encode()  # a flow sealed for one kiosk does not open at another


def unseal(request: Request, raw: str, aad: bytes, minutes: int = FLOW_MINUTES) -> dict[str, Any]:
    """A sealed state, or {} when there is none, it was tampered with, sealed for another ``aad`` or is too old."""
    try:
        blob = base64.urlsafe_b64decode(raw.encode() + b"==")
        plain = _aead(request).decrypt(blob[:12], blob[12:], aad)
        state = json.loads(plain)
    except (ValueError, InvalidTag):
        return {}
    now = app_ctx(request).services.clock.now().timestamp()
    if not isinstance(state, dict) or not isinstance(state.get("at"), int | float) or now - state["at"] > minutes * 60:
        return {}
    return state


def seal(request: Request, aad: bytes, state: dict[str, Any]) -> str:
    """``state`` stamped with the time, encrypted and authenticated for ``aad``: a cookie value."""
    body = dict(state, at=int(app_ctx(request).services.clock.now().timestamp()))
    nonce = os.urandom(12)
    sealed = nonce + _aead(request).encrypt(nonce, json.dumps(body).encode(), aad)
    return base64.urlsafe_b64encode(sealed).decode().rstrip("=")


def read(request: Request, deployment_id: str) -> dict[str, Any]:
    """The guest's state, or {} when there is none, it was tampered with or it has expired."""
    return unseal(request, request.cookies.get(cookie_name(deployment_id), ""), _aad(deployment_id))


def write(request: Request, response: Response, deployment_id: str, state: dict[str, Any]) -> None:
    """Seal ``state`` (stamped with the time) into the response's cookie for this kiosk only."""
    response.set_cookie(cookie_name(deployment_id), seal(request, _aad(deployment_id), state),
                        max_age=FLOW_MINUTES * 60, httponly=True, samesite="strict", path=f"/kiosk/{deployment_id}")


def clear(response: Response, deployment_id: str) -> None:
    response.delete_cookie(cookie_name(deployment_id), path=f"/kiosk/{deployment_id}")
