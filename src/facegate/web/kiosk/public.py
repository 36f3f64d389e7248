"""The public notice behind a sign's QR code: read-only, no pairing, no sign-in (Art. 13, M-13.2, M-5.6).

Who processes, why, how long, the alternatives, the rights and the contact, in both languages. Only
deployments that are running have one; any other id gets the same 404 page, so drafts stay private.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from facegate.errors import FacegateError, NotFound
from facegate.services import person
from facegate.services.deployments import get_deployment
from facegate.web.deps import app_ctx
from facegate.web.kiosk.consent_form import alternatives
from facegate.web.kiosk.render import render

router = APIRouter(prefix="/notice", tags=["notice"], include_in_schema=False)


@router.get("/{deployment_id}")
def public_notice(request: Request, deployment_id: str) -> Response:
    try:
        d = get_deployment(app_ctx(request).services, deployment_id)
    except FacegateError:
        d = None
    if d is None or not d.is_active:
        raise NotFound("notice_not_found", "There is no public notice at this address.",
                       "此地址没有公开的告知书。", article_id="M-13.2")
    return render(request, "notice.html", d=d, notice=person.notice_for(d), public=True,
                  alternatives=alternatives(d))
