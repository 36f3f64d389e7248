"""application/problem+json: the one place that maps errors and refusals to HTTP."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from facegate.domain.gate import GateDecision
from facegate.errors import FacegateError

PROBLEM = "application/problem+json"
STABLE_INPUT_CODES = {"subject_ref_invalid", "guardian_ref_invalid"}
BASE = "https://facegate.dev/problems/"


MAX_MESSAGE = 500  # messages may quote what was sent; a 5 MB path parameter must not come back whole


def _short(text: str) -> str:
    return text if len(text) <= MAX_MESSAGE else text[:MAX_MESSAGE] + "…"


def problem(status: int, code: str, en: str, zh: str, article_id: str | None = None, **extra: Any) -> JSONResponse:
    en, zh = _short(en), _short(zh)
    body: dict[str, Any] = {
        "type": BASE + code.replace("_", "-"), "title": en, "status": status, "code": code,
        "detail": en, "detail_zh": zh,
    }
    if article_id:
        body["article_id"] = article_id
    body.update(extra)
    return JSONResponse(body, status_code=status, media_type=PROBLEM, headers={"X-Problem-Code": code})


def decision_body(decision: GateDecision) -> dict[str, Any]:
    return {
        "allowed": decision.allowed,
        "reasons": [
            {"code": r.code, "article_id": r.article_id, "message_en": r.message_en, "message_zh": r.message_zh}
            for r in decision.reasons
        ],
        "alternatives": [{"code": a.code, "name_en": a.name_en, "name_zh": a.name_zh} for a in decision.alternatives],
    }


def notice_changed_body(decision: GateDecision, sections: tuple[str, ...]) -> dict[str, Any]:
    """M-5.4, Art. 5 para 2: the person agreed to an earlier notice; show them the changed parts."""
    if not decision.notice_changed:
        return {}
    return {"notice_changed": {
        "agreed_version": decision.agreed_notice_version, "sections": list(sections),
        "message_en": "The notice has changed since you agreed; please read the changed parts.",
        "message_zh": "您同意后告知内容已变更，请阅读变更部分。",
    }}


def refusal(decision: GateDecision) -> JSONResponse:
    """A gate refusal is a value, but HTTP clients must fail closed: 403 with the reasons."""
    first = decision.reasons[0]
    return problem(403, first.code, first.message_en, first.message_zh, first.article_id,
                   decision=decision_body(decision))


BrowserPage = Callable[[Request, FacegateError], Response]
IsBrowser = Callable[[Request], bool]


def install(app: FastAPI, page: BrowserPage | None = None, is_browser: IsBrowser | None = None) -> None:
    """``page`` answers a person's browser (``is_browser``) with HTML; everyone else gets problem+json."""

    def for_person(request: Request) -> bool:
        if is_browser is None:
            return "text/html" in request.headers.get("accept", "")
        return is_browser(request)

    @app.exception_handler(FacegateError)
    async def _facegate(request: Request, exc: FacegateError) -> Response:
        if page is not None and for_person(request):
            return page(request, exc)  # a person, not an API client: a page, a sign-in or a pairing (issue 16)
        if exc.code == "console_login_required" and for_person(request):
            return RedirectResponse("/console/login", status_code=303)
        extra = {"errors": exc.detail["errors"]} if "errors" in exc.detail else {}
        extra.update({k: v for k, v in exc.detail.items() if k != "errors"})
        return problem(exc.status, exc.code, exc.message_en, exc.message_zh, exc.article_id, **extra)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        # Values are never echoed back (a 5 MB field would come back whole); the path and message say enough.
        errors = [{"path": ".".join(str(p) for p in e.get("loc", ()))[:200], "message": str(e.get("msg", ""))[:200]}
                  for e in exc.errors()[:20]]
        kinds = {str(e.get("type", "")) for e in exc.errors()}
        # A bad reference gets the same code from the schema as from the services (M-6.3).
        code = next((k for k in sorted(kinds) if k in STABLE_INPUT_CODES), "request_invalid")
        return problem(422, code, "The request is malformed.", "请求格式不正确。", errors=errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        if page is not None and for_person(request) and exc.status_code in (404, 405):
            zh = "页面不存在。" if exc.status_code == 404 else "不支持此操作。"
            en = "There is no page at this address." if exc.status_code == 404 else "This action is not supported here."
            return page(request, FacegateError(code, en, zh, status=exc.status_code))
        return problem(exc.status_code, code, str(exc.detail), str(exc.detail))

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
        # Never echo internals: they might hold paths or values we do not control.
        return problem(500, "internal_error", "Something went wrong on our side.", "服务器内部错误。")
