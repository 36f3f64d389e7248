"""The person's side: kiosk pages, self-service, the public notice, their static files, and the operator's requests.

``router`` bundles them so ``create_app`` includes one router for all of it.
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import FileResponse

from facegate.errors import NotFound
from facegate.web.kiosk import capture, liveness, operator, pairing, public, routes, selfservice
from facegate.web.kiosk.render import STATIC, browser_error, is_browser

__all__ = ["browser_error", "is_browser", "router"]

router = APIRouter()
for _module in (pairing, routes, capture, selfservice, operator, liveness, public):
    router.include_router(_module.router)

_STATIC_FILES = {p.name: p for p in STATIC.iterdir() if p.is_file()}


@router.get("/kiosk-static/{name}", include_in_schema=False)
def static(name: str) -> FileResponse:
    path = _STATIC_FILES.get(name)  # a fixed list: no path from the request ever reaches the disk
    if path is None:
        raise NotFound("not_found", "No such file.", "文件不存在。")
    return FileResponse(path, headers={"Cache-Control": "public, max-age=300"})
