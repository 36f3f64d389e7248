"""The compliance officer's web console (/console) and the workbench API (/v1/workbench); ``router`` holds both."""

from fastapi import APIRouter

from facegate.web.console import access, api, history, keys, people, routes

router = APIRouter()
router.include_router(access.router)
router.include_router(routes.router)
router.include_router(api.router)
router.include_router(people.router)
router.include_router(keys.router)
router.include_router(history.router)

__all__ = ["router"]
