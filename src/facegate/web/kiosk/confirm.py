"""The confirmation step before self-service withdrawal or deletion (issue 16 item 8; M-6.3, PIPL Art. 47).

Both are irreversible: the templates are destroyed at once. The first POST shows
what will be destroyed and asks again (by redirect to ``/self-service/confirm``, a GET
page); only a POST with ``confirm=yes`` acts. It is a plain form round trip, so it works without JavaScript; JSON clients keep the
one-step call (their code asks its user). The single-use form token is spent on the
confirmed POST only, so "Cancel" leaves it valid.
"""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from facegate.errors import FacegateError
from facegate.services import person
from facegate.web.deps import app_ctx
from facegate.web.kiosk.render import lang_of, person_deps, render

TEXTS: dict[str, dict[str, tuple[str, str]]] = {
    "withdraw": {
        "title": ("确认撤回同意", "Confirm withdrawal of consent"),
        "what": ("撤回后，您在此处的人脸模板将立即删除，且无法恢复。之后如需再次刷脸，须重新同意并重新采集。",
                 "Your face templates here are deleted at once and cannot be recovered. To use face recognition "
                 "again you would consent and be photographed again."),
        "go": ("确认撤回", "Yes, withdraw"),
    },
    "delete": {
        "title": ("确认删除全部信息", "Confirm deletion of all your information"),
        "what": ("将立即删除您的人脸模板和同意记录中可识别您的信息，且无法恢复。处理记录仅保留不含人脸信息的假名记录（第九条）。",
                 "Your face templates and what identifies you in the consent records are deleted at once and cannot "
                 "be recovered. The processing record keeps only a pseudonymous entry without face data (Art. 9)."),
        "go": ("确认删除", "Yes, delete everything"),
    },
    "common": {
        "deployment": ("部署", "Deployment"),
        "templates": ("将删除的人脸模板", "Face templates to be deleted"),
        "cancel": ("取消，返回", "Cancel and go back"),
    },
}


def is_confirmed(form: FormData) -> bool:
    return str(form.get("confirm") or "") == "yes"


def confirm_page(request: Request, kind: str, token: str, code: str) -> Response:
    """What will be destroyed, and the two buttons: go on (re-posts with confirm=yes) or cancel."""
    ctx = app_ctx(request).services
    try:
        held = person.lookup(ctx, person_deps(request), code)
    except FacegateError as exc:
        from facegate.web.kiosk.render import error_page

        return error_page(request, exc, "selfservice.html")
    lang = lang_of(request)
    i = 0 if lang == "zh" else 1
    texts = {k: v[i] for k, v in {**TEXTS[kind], **TEXTS["common"]}.items()}
    return render(request, "confirm_erase.html", kind=kind, c=texts, held=held, receipt_code=code,
                  token=token)
