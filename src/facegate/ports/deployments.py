"""The deployments aggregate's port: processors, deployments, their applied versions and calibrations."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from facegate.domain.model import Deployment, Processor
from facegate.domain.openset import AdoptedCalibration


@dataclass(frozen=True)
class DeploymentVersion:
    """One applied manifest version, kept for the history and the re-assessment triggers (M-9.5)."""

    deployment_id: str
    version: int
    status: str
    manifest: dict[str, Any]
    findings: list[dict[str, Any]]
    applied_at: datetime
    applied_by: str

    def to_dict(self) -> dict[str, Any]:
        return {"deployment_id": self.deployment_id, "version": self.version, "status": self.status,
                "manifest": self.manifest, "findings": self.findings, "applied_at": self.applied_at,
                "applied_by": self.applied_by}


class DeploymentRepository(Protocol):
    """``uow.deployments``: a processor's deployments, the manifests they were applied from, their calibration."""

    def get(self, deployment_id: str) -> Deployment | None: ...
    def put(self, deployment: Deployment) -> None: ...
    def all(self) -> list[Deployment]: ...

    def add_version(self, deployment: Deployment, findings: list[dict[str, Any]],
                    applied_at: datetime, applied_by: str) -> None: ...
    def versions(self, deployment_id: str) -> list[DeploymentVersion]:
        """Oldest first."""
        ...

    def get_processor(self, processor_id: str) -> Processor | None: ...
    def put_processor(self, processor: Processor) -> None: ...

    def calibration(self, deployment_id: str) -> AdoptedCalibration | None: ...
    def put_calibration(self, deployment_id: str, adopted: AdoptedCalibration) -> None: ...
