"""The one Clock protocol: time is a parameter, so deadlines and retention are testable without sleeping."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol


class Clock(Protocol):
    """Where "now" comes from (``facegate.clock.SystemClock`` in production, ``FixedClock`` in tests)."""

    def now(self) -> datetime:
        """Timezone-aware UTC now."""
        ...
