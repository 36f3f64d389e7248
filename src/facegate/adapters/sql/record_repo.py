"""The record's repositories as the unit of work hands them out: thin routes to the SqlTx record code.

Appending, reading back and signing live in ``records.py`` (and the gallery log
in ``gallery_log.py``), mixed into SqlTx because they share its per-transaction
state (the head lock, buffered appends, pending gallery changes). These classes
are only the small typed surface the services see (``uow.record``, ``uow.gallery_log``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Protocol

from facegate.domain.audit import AuditEvent, ChainedEvent, Linked
from facegate.domain.chain import Checkpoint
from facegate.domain.head import HeadState


class _RecordBackend(Protocol):
    def append_event(self, event: AuditEvent) -> object: ...
    def chain_events(self, from_seq: int = 1, to_seq: int | None = None) -> Iterator[ChainedEvent]: ...
    def stored_events(self, from_seq: int = 1, to_seq: int | None = None) -> Iterator[Linked]: ...
    def checkpoints(self, to_seq: int | None = None) -> list[Checkpoint]: ...
    def chain_head(self) -> tuple[int, str]: ...
    def head_state(self) -> HeadState: ...
    def sign_head(self) -> Checkpoint | None: ...


class _GalleryLogBackend(Protocol):
    def note_gallery_invalidated(self, deployment_id: str | None) -> None: ...
    def gallery_version(self) -> int: ...
    def gallery_changes(self, after: int, limit: int = 500) -> list[tuple[int, dict[str, Any]]]: ...
    def gallery_consumer_version(self, node: str) -> int | None: ...
    def gallery_report(self, node: str, version: int, seen_at: float) -> None: ...
    def gallery_forget(self, node: str) -> None: ...
    def gallery_prune(self, stale_before: float) -> int: ...


class SqlRecord:
    """The RecordRepository port."""

    def __init__(self, backend: _RecordBackend) -> None:
        self._b = backend

    def append(self, event: AuditEvent) -> None:
        self._b.append_event(event)

    def events(self, from_seq: int = 1, to_seq: int | None = None) -> Iterator[ChainedEvent]:
        return self._b.chain_events(from_seq, to_seq)

    def stored(self, from_seq: int = 1, to_seq: int | None = None) -> Iterator[Linked]:
        return self._b.stored_events(from_seq, to_seq)

    def checkpoints(self, to_seq: int | None = None) -> list[Checkpoint]:
        return self._b.checkpoints(to_seq)

    def head(self) -> tuple[int, str]:
        return self._b.chain_head()

    def head_state(self) -> HeadState:
        return self._b.head_state()

    def sign_head(self) -> Checkpoint | None:
        return self._b.sign_head()


class SqlGalleryLog:
    """The GalleryChangeLog port."""

    def __init__(self, backend: _GalleryLogBackend) -> None:
        self._b = backend

    def note_invalidated(self, deployment_id: str | None) -> None:
        self._b.note_gallery_invalidated(deployment_id)

    def version(self) -> int:
        return self._b.gallery_version()

    def changes(self, after: int, limit: int = 500) -> list[tuple[int, dict[str, Any]]]:
        return self._b.gallery_changes(after, limit)

    def consumer_version(self, node: str) -> int | None:
        return self._b.gallery_consumer_version(node)

    def report(self, node: str, version: int, seen_at: float) -> None:
        self._b.gallery_report(node, version, seen_at)

    def forget(self, node: str) -> None:
        self._b.gallery_forget(node)

    def prune(self, stale_before: float) -> int:
        return self._b.gallery_prune(stale_before)
