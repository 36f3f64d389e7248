"""The compliance officer's web console (/console) and the workbench API (/v1/workbench); ``router`` holds both."""

from fastapi import APIRouter

from facegate.web.console import access, api, keys, people, routes

router = APIRouter()
router.include_router(access.router)
router.include_router(routes.router)
router.include_router(api.router)
router.include_router(people.router)
router.include_router(keys.router)

__all__ = ["router"]
