"""The unit of work: one transaction, seen through one small repository per aggregate."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Protocol

from facegate.ports.consents import ConsentRepository
from facegate.ports.deployments import DeploymentRepository
from facegate.ports.keys import ApiKeyRepository, SubjectKeyRepository
from facegate.ports.person import PersonRequestRepository
from facegate.ports.record import GalleryChangeLog, RecordRepository
from facegate.ports.security import SecurityEventRepository
from facegate.ports.subjects import SubjectRepository, TemplateRepository
from facegate.ports.workbench import WorkbenchRepository


class UnitOfWork(Protocol):
    """Everything done through one unit of work commits together or not at all.

    Read-only properties, so an adapter may hand out its own repository classes.
    """

    @property
    def deployments(self) -> DeploymentRepository: ...
    @property
    def subjects(self) -> SubjectRepository: ...
    @property
    def templates(self) -> TemplateRepository: ...
    @property
    def consents(self) -> ConsentRepository: ...
    @property
    def subject_keys(self) -> SubjectKeyRepository: ...
    @property
    def api_keys(self) -> ApiKeyRepository: ...
    @property
    def security(self) -> SecurityEventRepository: ...
    @property
    def record(self) -> RecordRepository: ...
    @property
    def gallery_log(self) -> GalleryChangeLog: ...
    @property
    def workbench(self) -> WorkbenchRepository: ...
    @property
    def person(self) -> PersonRequestRepository: ...

    def try_exclusive(self, name: str) -> bool:
        """A cluster-wide named lock held until the unit of work ends; False at once if another holds it."""
        ...


class Store(Protocol):
    def transaction(self, readonly: bool = False) -> AbstractContextManager[UnitOfWork]:
        """A unit of work; ``readonly`` ones may not write and do not take the write lock."""
        ...


class ChangeFeed(Protocol):
    """Rings the other nodes when a gallery changed (several nodes, one store); never raises on publish."""

    def publish(self, message: dict[str, object]) -> None: ...

    def subscribe(self, handler: Callable[[dict[str, object]], None],
                  on_gap: Callable[[], None] = ...) -> None:
        """``on_gap`` runs after a reconnect: messages may have been lost meanwhile."""
        ...

    def status(self) -> dict[str, object]: ...

    def close(self) -> None: ...
