"""The security events port (``uow.security``): what intrusion defence detected and did (M-14.5)."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from facegate.domain.intrusion import SecurityEvent


class SecurityEventRepository(Protocol):
    """Detections, locks and lifts; the processing record holds a copy of each for the auditor."""

    def add(self, event: SecurityEvent) -> None: ...

    def recent(self, limit: int = 200) -> list[SecurityEvent]:
        """Newest first."""
        ...

    def lock_events(self, since: datetime, subject_key: str | None = None,
                    kinds: tuple[str, ...] = ("subject_locked", "subject_lock_lifted")) -> list[SecurityEvent]:
        """Events of ``kinds`` (subject locks and lifts by default) since ``since``, oldest first."""
        ...
