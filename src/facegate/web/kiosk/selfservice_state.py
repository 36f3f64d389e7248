"""What a self-service visit carries between its POST and the page that shows the result (POST-redirect-GET).

The receipt code a person typed, and the result of what they just did (a deletion receipt to show
once, a complaint's due date), travel in a sealed cookie (``flow.seal``: AES-GCM, so the browser
can neither read nor change it) scoped to ``/self-service`` and kept ``MINUTES`` at most. So the
result is a GET page of its own: back and refresh send nothing again, and the receipt code is never
in a URL, where access logs and browser history would keep it (M-6.3, PIPL Art. 47).
"""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import RedirectResponse, Response

from facegate.web.kiosk import flow
from facegate.web.kiosk.render import lang_of

COOKIE = "fg_self"
PATH = "/self-service"
MINUTES = 15  # as long as a form token lives (services.person.FORM_TOKEN_TTL)
_AAD = b"self-service|v1"  # a kiosk's flow cookie does not open here, nor this one there


def read(request: Request) -> dict[str, Any]:
    """The visit's state: ``code`` (the receipt looked up) and at most one result to show; {} if none."""
    return flow.unseal(request, request.cookies.get(COOKIE, ""), _AAD, MINUTES)


def write(request: Request, response: Response, state: dict[str, Any]) -> None:
    response.set_cookie(COOKIE, flow.seal(request, _AAD, state), max_age=MINUTES * 60, httponly=True,
                        samesite="strict", path=PATH)


def go(request: Request, step: str, state: dict[str, Any] | None = None) -> RedirectResponse:
    """303 to ``/self-service{step}`` in the page's language, sealing ``state`` when given."""
    response = RedirectResponse(f"{PATH}{step}?lang={lang_of(request)}", status_code=303)
    if state is not None:
        write(request, response, state)
    return response
