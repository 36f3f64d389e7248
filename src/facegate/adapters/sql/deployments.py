"""SqlDeployments: the deployments repository (processors, deployments, versions, calibrations) on one connection.

Every face operation reads its deployment (twice: the gate and the assessment check), so
``get`` is the hot path (issue 14): with a ``DeploymentCache`` it reads only the row's version
and status and decodes the manifest JSON only when those changed. A node that changed the
deployment has a new version or status in the row, so every node sees the change on its next
read; no message is needed.
"""

from __future__ import annotations

import threading
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, delete, insert, select, update

from facegate.adapters.sql import tables as t
from facegate.adapters.sql.hot_reads import HotRead
from facegate.domain.model import (
    Alternative,
    Deployment,
    DeploymentStatus,
    Mode,
    Processor,
    SeparateConsent,
    StorageLocality,
)
from facegate.domain.openset import AdoptedCalibration, Calibration
from facegate.domain.terms import ConsentTerms
from facegate.ports.deployments import DeploymentVersion


def deployment_from_row(row: Any) -> Deployment:
    return Deployment(
        id=row.id, processor_id=row.processor_id, name=row.name, name_zh=row.name_zh,
        purposes=tuple(row.purposes), mode=Mode(row.mode),
        alternatives=tuple(Alternative(**a) for a in row.alternatives),
        storage_locality=StorageLocality(row.storage_locality), retention_days=row.retention_days,
        status=DeploymentStatus(row.status), version=row.version, notice_version=row.notice_version,
        scope_hash=row.scope_hash, minors_allowed=row.minors_allowed,
        written_consent_required=row.written_consent_required, manifest=dict(row.manifest),
        consent_required=row.consent_required, legal_basis_ref=row.legal_basis_ref,
        **_gate_terms(row.gate_terms),
    )


def _gate_terms(data: dict[str, Any] | None) -> dict[str, Any]:
    if not data:
        return {}
    return {"terms": ConsentTerms.from_dict(data.get("terms")), "may_meet_minors": bool(data.get("may_meet_minors")),
            "separate_consents_needed": tuple(SeparateConsent(s) for s in data.get("separate", ())),
            "is_notice_exempt": bool(data.get("notice_exempt"))}


def _deployment_values(d: Deployment) -> dict[str, Any]:
    return {
        "processor_id": d.processor_id, "version": d.version, "name": d.name, "name_zh": d.name_zh,
        "purposes": list(d.purposes), "mode": d.mode.value,
        "alternatives": [a.__dict__ for a in d.alternatives],
        "storage_locality": d.storage_locality.value, "retention_days": d.retention_days,
        "status": d.status.value, "notice_version": d.notice_version, "scope_hash": d.scope_hash,
        "minors_allowed": d.minors_allowed, "written_consent_required": d.written_consent_required,
        "manifest": d.manifest, "consent_required": d.consent_required,
        "legal_basis_ref": d.legal_basis_ref,
        "gate_terms": {"terms": d.terms.to_dict() if d.terms else None, "may_meet_minors": d.may_meet_minors,
                       "separate": [s.value for s in d.separate_consents_needed],
                       "notice_exempt": d.is_notice_exempt},
    }


# Constant statements, compiled once; those every face operation runs go to the driver directly (issue 14).
_GET = HotRead(select(t.deployments).where(t.deployments.c.id == bindparam("id")))
_STAMP = HotRead(select(t.deployments.c.version, t.deployments.c.status).where(t.deployments.c.id == bindparam("id")))
_VERSIONS = HotRead(select(t.deployment_versions).where(t.deployment_versions.c.deployment_id == bindparam("id"))
                    .order_by(t.deployment_versions.c.version))
_CALIBRATION = HotRead(select(t.calibrations).where(t.calibrations.c.deployment_id == bindparam("id")))


class DeploymentCache:
    """Decoded deployments by id, each valid while the row keeps its version and status."""

    def __init__(self) -> None:
        self._held: dict[str, Deployment] = {}
        self._lock = threading.Lock()

    def get(self, deployment_id: str, version: int, status: str) -> Deployment | None:
        d = self._held.get(deployment_id)
        return d if d is not None and d.version == version and d.status.value == status else None

    def put(self, d: Deployment) -> None:
        with self._lock:
            self._held[d.id] = d

    def drop(self, deployment_id: str) -> None:
        with self._lock:
            self._held.pop(deployment_id, None)


class SqlDeployments:
    """The DeploymentRepository port inside the caller's transaction.

    ``cache``: shared by the store's transactions; only read-only ones fill it, so a row a
    writing transaction made and then rolled back is never served.
    """

    def __init__(self, conn: Connection, cache: DeploymentCache | None = None, fills_cache: bool = False) -> None:
        self.conn = conn
        self._cache = cache
        self._fills = fills_cache

    def get(self, deployment_id: str) -> Deployment | None:
        if self._cache is None:
            row = _GET.first(self.conn, {"id": deployment_id})
            return deployment_from_row(row) if row else None
        stamp = _STAMP.first(self.conn, {"id": deployment_id})
        if stamp is None:
            return None
        held = self._cache.get(deployment_id, stamp.version, stamp.status)
        if held is not None:
            return held
        row = _GET.first(self.conn, {"id": deployment_id})
        if row is None:
            return None
        d = deployment_from_row(row)
        if self._fills:
            self._cache.put(d)
        return d

    def put(self, d: Deployment) -> None:
        values = _deployment_values(d)
        if self._cache is not None:
            self._cache.drop(d.id)
        if self.get(d.id):
            self.conn.execute(update(t.deployments).where(t.deployments.c.id == d.id).values(**values))
        else:
            self.conn.execute(insert(t.deployments).values(id=d.id, **values))

    def all(self) -> list[Deployment]:
        rows = self.conn.execute(select(t.deployments).order_by(t.deployments.c.id))
        return [deployment_from_row(r) for r in rows]

    def add_version(self, d: Deployment, findings: list[dict[str, Any]], applied_at: datetime,
                    applied_by: str) -> None:
        self.conn.execute(insert(t.deployment_versions).values(
            deployment_id=d.id, version=d.version, status=d.status.value, manifest=d.manifest,
            findings=findings, applied_at=applied_at, applied_by=applied_by,
        ))

    def versions(self, deployment_id: str) -> list[DeploymentVersion]:
        rows = _VERSIONS.rows(self.conn, {"id": deployment_id})
        return [DeploymentVersion(r.deployment_id, r.version, r.status, dict(r.manifest), list(r.findings),
                                  r.applied_at, r.applied_by) for r in rows]

    def get_processor(self, processor_id: str) -> Processor | None:
        row = self.conn.execute(select(t.processors).where(t.processors.c.id == processor_id)).first()
        return Processor(row.id, row.name, row.contact, row.uscc, row.name_en) if row else None

    def put_processor(self, processor: Processor) -> None:
        values = {"name": processor.name, "contact": processor.contact, "uscc": processor.uscc,
                  "name_en": processor.name_en}
        if self.get_processor(processor.id):
            self.conn.execute(update(t.processors).where(t.processors.c.id == processor.id).values(**values))
        else:
            self.conn.execute(insert(t.processors).values(id=processor.id, **values))

    def calibration(self, deployment_id: str) -> AdoptedCalibration | None:
        row = _CALIBRATION.first(self.conn, {"id": deployment_id})
        if row is None:
            return None
        return AdoptedCalibration(Calibration.from_dict(row.document), float(row.target_far), float(row.target_fpir),
                                  float(row.verify_threshold), row.adopted_at, row.adopted_by)

    def put_calibration(self, deployment_id: str, adopted: AdoptedCalibration) -> None:
        """One row per deployment, replaced on adoption."""
        self.conn.execute(delete(t.calibrations).where(t.calibrations.c.deployment_id == deployment_id))
        self.conn.execute(insert(t.calibrations).values(
            deployment_id=deployment_id, engine=adopted.calibration.engine, document=adopted.calibration.to_dict(),
            target_far=adopted.target_far, target_fpir=adopted.target_fpir,
            verify_threshold=adopted.verify_threshold, adopted_at=adopted.adopted_at, adopted_by=adopted.adopted_by))
