"""Deployments for the person-side tests, built from the real example manifest."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from facegate.adapters.sql import tables_person as tp
from facegate.bootstrap import AppContext
from facegate.domain.model import Deployment, DeploymentStatus
from facegate.governance.loader import load_manifest
from facegate.governance.manifest import Manifest
from facegate.governance.mapping import to_deployment, to_processor
from facegate.services.deployments import apply_deployment

ROOT = Path(__file__).resolve().parents[2]
HOTEL = "westlake-hotel-front-desk"
KIDS = "westlake-kids-club"
PURPOSE = "check_in"


def _merge(base: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for k, v in changes.items():
        out[k] = _merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


def hotel_manifest(**changes: Any) -> Manifest:
    m = load_manifest((ROOT / "examples" / "hotel-front-desk-check-in.yaml").read_text(encoding="utf-8"))
    return Manifest.model_validate(_merge(m.model_dump(mode="json"), changes))


def kids_manifest() -> Manifest:
    """The same desk, but children under 14 may use face check-in with a guardian (M-7.x)."""
    rule = {"zh": "仅在本机加密保存，30天后删除。", "en": "Kept encrypted on this terminal only, deleted after 30 days."}
    return hotel_manifest(
        id=KIDS, name={"zh": "西湖云栖酒店亲子俱乐部", "en": "Westlake Yunqi kids' club"},
        minors={"under_14_allowed": True, "guardian_consent": True,
                "special_rules": {"storage": rule, "use": {"zh": "仅用于入住核验。", "en": "Used only for check-in."},
                                  "transfer": {"zh": "不向任何第三方转移。", "en": "Never transferred to anyone."},
                                  "disclosure": {"zh": "不公开披露。", "en": "Never disclosed."}}},
    )


def ensure_person_tables(ctx: AppContext) -> None:
    """Create the person tables if the migration in the tree predates them.

    Several engineers regenerate migration 0001 at once; until ``tables.py``
    imports ``tables_person`` a regeneration may leave these two tables out.
    """
    for table in (tp.person_requests, tp.form_tokens):
        table.create(bind=ctx.store.engine, checkfirst=True)


def install(ctx: AppContext, m: Manifest, *, status: DeploymentStatus = DeploymentStatus.ACTIVE) -> Deployment:
    ensure_person_tables(ctx)
    d = to_deployment(m, status=status, version=1)
    return apply_deployment(ctx.services, to_processor(m), d, [], has_blocking=False).deployment
