"""Rendering for the person-facing pages: Jinja2 templates, language, errors, and the person service deps."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape

from facegate.errors import FacegateError
from facegate.governance.vocab import PURPOSES
from facegate.services.person import PersonDeps
from facegate.web.deps import app_ctx
from facegate.web.kiosk.texts import TEXTS, pick_lang, translator
from facegate.web.problems import problem

HERE = Path(__file__).parent
STATIC = HERE / "static"
_env = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(["html"]),
                   trim_blocks=True, lstrip_blocks=True)

def purpose_label(code: str, lang: str) -> str:
    info = PURPOSES.get(code)
    return (info.zh if lang == "zh" else info.en) if info else code


_env.globals["purpose_label"] = purpose_label

# The one place pages learn about security headers: no caching of pages that show
# receipt codes, no framing, camera only for this origin.
HEADERS = {
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Permissions-Policy": "camera=(self), microphone=()",
    "Content-Security-Policy": "default-src 'self'; img-src 'self' blob: data:; media-src 'self' blob:; "
                               "style-src 'self'; script-src 'self'; frame-ancestors 'none'",
}


def lang_of(request: Request) -> str:
    return pick_lang(request.query_params.get("lang") or request.cookies.get("fg_lang"))


def render(request: Request, name: str, status: int = 200, *, code: str | None = None,
           **values: Any) -> HTMLResponse:
    lang = lang_of(request)
    other = "en" if lang == "zh" else "zh"
    idle = app_ctx(request).settings.kiosk_idle_seconds
    body = _env.get_template(name).render(
        lang=lang, other=other, t=translator(lang), texts=TEXTS, path=request.url.path, idle_seconds=idle, **values)
    headers = dict(HEADERS)
    if code:
        headers["X-Problem-Code"] = code  # a stable code for machines, beside the page for people
    response = HTMLResponse(body, status_code=status, headers=headers)
    response.set_cookie("fg_lang", lang, samesite="strict", httponly=True)
    return response


def wants_json(request: Request) -> bool:
    return "application/json" in request.headers.get("accept", "")


def error_page(request: Request, exc: FacegateError, name: str = "message.html", **values: Any) -> Response:
    """The same error as the API's problem+json, shown in both languages on a page."""
    if wants_json(request):
        return problem(exc.status, exc.code, exc.message_en, exc.message_zh, exc.article_id)
    return render(request, name, exc.status, code=exc.code, error=exc, **values)


_API_PATHS = ("/v1/", "/healthz", "/openapi", "/docs", "/kiosk-static/", "/console/static/")


def is_browser(request: Request) -> bool:
    """A person's browser navigating (it asks for HTML), not an API client or the pages' own fetch calls."""
    accept = request.headers.get("accept", "")
    return "text/html" in accept and not request.url.path.startswith(_API_PATHS)


def browser_error(request: Request, exc: FacegateError) -> Response:
    """An error as a page in both languages, the page's first (issue 16 item 5); sign-in and pairing as redirects."""
    parts = request.url.path.split("/")
    if exc.code == "kiosk_not_paired" and len(parts) > 2 and parts[1] == "kiosk":
        return RedirectResponse(f"/kiosk/{parts[2]}/pair?lang={lang_of(request)}", status_code=303)
    if exc.code == "console_login_required":
        return RedirectResponse("/console/login", status_code=303)
    return render(request, "error.html", exc.status, code=exc.code, error=exc)


def person_deps(request: Request) -> PersonDeps:
    """The person side's dependencies, built by bootstrap.build_context."""
    return app_ctx(request).person
