"""Who may open a kiosk: the one hook the API-key work will extend (today: the deployment must run).

Kiosk pages are person-facing and carry no operator key; the lead will add the
device binding here. ``operator_access`` guards the operator's request list with the
API keys of ``web.auth``.
"""

from __future__ import annotations

from fastapi import Request

from facegate.domain.access import Permission
from facegate.domain.model import Deployment, DeploymentStatus
from facegate.errors import Forbidden
from facegate.services.deployments import get_deployment
from facegate.web.auth import check
from facegate.web.deps import app_ctx
from facegate.web.kiosk.pairing import paired_key


def kiosk_access(request: Request, deployment_id: str) -> Deployment:
    """401 ``kiosk_not_paired``, then 404 ``deployment_unknown`` or 403 ``deployment_inactive``/``_blocked`` (M-4.4).

    Pairing is checked first: an unpaired screen gets the same answer for a deployment that
    exists (whatever its status) and one that does not, so nobody learns either by asking.
    """
    # Only a screen paired with a device key of this deployment may capture faces (M-14.3).
    request.state.actor = "kiosk:" + paired_key(request, deployment_id)
    d = get_deployment(app_ctx(request).services, deployment_id)
    if d.status is DeploymentStatus.BLOCKED:
        raise Forbidden("deployment_blocked", "This service is not available here at the moment.",
                        "此处暂不提供该服务。", article_id="M-4.4")
    if not d.is_active:
        raise Forbidden("deployment_inactive", "This service is not available here at the moment.",
                        "此处暂不提供该服务。", article_id="M-4.4")
    ctx = app_ctx(request)
    ctx.defence.admit(key_id=request.state.actor, client=request.client.host if request.client else "unknown"
                      ).raise_if_refused()
    return d


def operator_access(request: Request) -> str:
    """An API key with ``read_reports`` on the deployment filtered by, or on all ('*') without one.

    People's requests and complaints name them, so they are operator data (M-14.3).
    """
    principal = check(request, Permission.READ_REPORTS, request.query_params.get("deployment_id"))
    return principal.key_id
