"""Printable signs for a deployment from its manifest, with a QR code to the notice page (Art. 13, M-13.2)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from facegate.domain.model import Deployment, english_name
from facegate.errors import Forbidden, InvalidInput
from facegate.governance.manifest import purpose_label
from facegate.governance.rules.places import is_public_place
from facegate.governance.vocab import PrivateSpace
from facegate.services.common import load_deployment
from facegate.services.context import ServiceContext
from facegate.services.workbench.assessment import manifest_of
from facegate.services.workbench.deps import WorkbenchDeps

FORMATS = {"svg": "image/svg+xml", "pdf": "application/pdf", "png": "image/png"}
SIZES = ("A4", "A3")


_LOOPBACK = {"localhost", "127.0.0.1", "::1", "0.0.0.0", ""}


def notice_url(deps: WorkbenchDeps, deployment_id: str) -> str:
    """The public, read-only notice page for this deployment, which the QR code opens: no pairing,
    no sign-in (M-13.2, M-5.6; issue 16 item 6)."""
    return f"{deps.public_base_url.rstrip('/')}/notice/{deployment_id}"


def is_public_url_unset(deps: WorkbenchDeps) -> bool:
    """The default (this machine) or a loopback address: nobody passing a sign could open it."""
    return (urlsplit(deps.public_base_url).hostname or "") in _LOOPBACK


def sign_fields(deps: WorkbenchDeps, d: Deployment) -> dict[str, Any]:
    """The sign's texts (the keyword arguments of adapters.signs.SignSpec)."""
    m = manifest_of(d)
    if m.scenario.private_space is not PrivateSpace.NONE:
        # No sign for a device the law bans outright; there is no override (M-13.4).
        raise Forbidden("sign_private_space",
                        "Face recognition devices may not be installed in private spaces, so no sign is issued.",
                        "公共场所中的私密空间内不得安装人脸识别设备，不予生成提示标识。",
                        article_id="M-13.4", detail={"deployment_id": d.id})
    if not is_public_place(m):
        raise InvalidInput("sign_not_public_place",
                           "Signs are issued for public-place deployments (Art. 13); use the notice for others.",
                           "提示标识仅用于公共场所的部署（第十三条），其他场景请使用告知书。", article_id="M-13.2",
                           detail={"venue_type": m.scenario.venue_type.value})
    place = m.public_place
    signage = place.signage if place else None
    purpose_zh = "；".join(purpose_label(p)[0] for p in m.purposes)
    purpose_en = "; ".join(purpose_label(p)[1] for p in m.purposes)
    if signage is not None:
        purpose_zh, purpose_en = f"{purpose_zh}。{signage.text.zh}", f"{purpose_en}. {signage.text.en}"
    area_en = (place.capture_area if place and place.capture_area else m.scenario.description.en)
    return {
        "deployment_id": d.id, "processor_name": m.processor.name.zh, "contact": m.notice.rights_contact,
        "processor_name_en": english_name(m.processor.name.zh, m.processor.name.en),
        "purpose_zh": purpose_zh, "purpose_en": purpose_en,
        "capture_area_zh": m.scenario.address or m.scenario.description.zh, "capture_area_en": area_en,
        "notice_url": notice_url(deps, d.id), "venue_is_private_space": False,
        "is_sample": is_public_url_unset(deps),  # printed across the sign: not for posting
        "alternatives_zh": "；".join(a.name.zh for a in m.alternatives),
        "alternatives_en": "; ".join(a.name.en for a in m.alternatives),
    }


def sign(ctx: ServiceContext, deps: WorkbenchDeps, deployment_id: str, fmt: str = "svg",
         size: str = "A4") -> tuple[bytes, str]:
    """(file bytes, media type) of the deployment's sign in ``fmt`` (svg, pdf, png) on ``size`` paper."""
    if fmt not in FORMATS or size not in SIZES:
        raise InvalidInput("sign_format_unsupported", "Sign format must be svg, pdf or png; size A4 or A3.",
                           "标识格式须为svg、pdf或png，尺寸须为A4或A3。", article_id="M-13.2")
    with ctx.store.transaction(readonly=True) as tx:
        d = load_deployment(tx, deployment_id)
    return deps.renderer.sign(sign_fields(deps, d), size, fmt), FORMATS[fmt]


def is_sign_available(deps: WorkbenchDeps, d: Deployment) -> bool:
    try:
        sign_fields(deps, d)
    except (Forbidden, InvalidInput):
        return False
    return True
