"""The processing record's ports: the hash chain with its checkpoints (``uow.record``) and the gallery
change log (``uow.gallery_log``), which shares the record's head lock so its ids grow in commit order."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Protocol

from facegate.domain.audit import AuditEvent, ChainedEvent, Linked
from facegate.domain.chain import Checkpoint
from facegate.domain.head import HeadState


class RecordRepository(Protocol):
    """Append-only (M-9.3): nothing here rewrites or removes a record."""

    def append(self, event: AuditEvent) -> None:
        """Link the event into the chain; it commits with the unit of work or not at all."""
        ...

    def events(self, from_seq: int = 1, to_seq: int | None = None) -> Iterator[ChainedEvent]: ...

    def stored(self, from_seq: int = 1, to_seq: int | None = None) -> Iterator[Linked]:
        """The records as stored, for verifying: each is hashed as it is, and decoded only when it must be."""
        ...

    def checkpoints(self, to_seq: int | None = None) -> list[Checkpoint]: ...

    def head(self) -> tuple[int, str]:
        """(seq, hash) of the last record."""
        ...

    def head_state(self) -> HeadState:
        """Where the record ends and where it was last signed."""
        ...

    def sign_head(self) -> Checkpoint | None:
        """Sign the head now (before an export or an anchor); None when it is signed already."""
        ...


class GalleryChangeLog(Protocol):
    """What a node replays after it missed change-feed messages (a replayable feed, by monotonic version)."""

    def note_invalidated(self, deployment_id: str | None) -> None:
        """Tell every node to reload a deployment's galleries (or all, for None) from the store."""
        ...

    def version(self) -> int: ...
    def changes(self, after: int, limit: int = 500) -> list[tuple[int, dict[str, Any]]]: ...

    # Each replaying node reports how far it got; rows every node seen since ``stale_before`` has
    # applied are pruned, and a node not seen since then is forgotten (it must reload when back).
    def consumer_version(self, node: str) -> int | None: ...
    def report(self, node: str, version: int, seen_at: float) -> None: ...
    def forget(self, node: str) -> None: ...
    def prune(self, stale_before: float) -> int: ...
