"""The compliance officer's web console (/console) and the workbench API (/v1/workbench); ``router`` holds both."""

from fastapi import APIRouter

from facegate.web.console import access, api, routes

router = APIRouter()
router.include_router(access.router)
router.include_router(routes.router)
router.include_router(api.router)

__all__ = ["router"]
