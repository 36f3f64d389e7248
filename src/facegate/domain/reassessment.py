"""When an impact assessment stops covering a deployment (M-9.5): the rule the gate and the console share.

A new assessment is owed when the declared purposes or processing method change
after the one in force was made, or when a major security incident happens
(M-9.5 (a), (c)). Processing may go on for a bounded grace period while it is
redone; from ``blocks_from`` the gate refuses face operations.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

# Art. 9 para 2 says the assessment "shall be redone" and gives no grace; 30 days is the most
# this service lets a processor take to redo it while processing goes on (design, bounded).
MAX_GRACE = timedelta(days=30)

METHOD_CHANGED = "purpose_or_method_changed"
MAJOR_INCIDENT = "major_incident"


@dataclass(frozen=True)
class Baseline:
    """What the assessment in force was made for: a manifest version, its method hash, and when."""

    version: int
    method_hash: str
    at: datetime


@dataclass(frozen=True)
class AppliedVersion:
    """A later manifest version of the deployment, by the hash of its purposes and method."""

    version: int
    method_hash: str
    applied_at: datetime


@dataclass(frozen=True)
class Outdated:
    """Since when the assessment no longer covers the deployment, why, and when the gate starts refusing."""

    since: datetime | None
    reasons: tuple[str, ...]
    blocks_from: datetime | None

    def is_blocking(self, now: datetime) -> bool:
        return self.blocks_from is not None and now >= self.blocks_from


COVERED = Outdated(None, (), None)


def declared_baseline(pia: Mapping[str, object], versions: Sequence[tuple[int, object]]) -> int | None:
    """The manifest version a PIA declared in the manifest was made for: the earliest of the latest run of
    versions (oldest first, as ``(version, declared impact_assessment)``) that still declare it unchanged."""
    base = None
    for version, declared in reversed(versions):
        if declared != pia:
            break
        base = version
    return base


def outdated(baseline: Baseline, current_method_hash: str, later: Iterable[AppliedVersion],
             major_incidents: Iterable[tuple[datetime, datetime]], grace: timedelta) -> Outdated:
    """The M-9.5 triggers since ``baseline``; ``later`` is read only when the method changed (it may be lazy).

    ``major_incidents`` are (occurred_at, recorded_at): one that happened since the baseline
    counts from when it was recorded.

    ``grace`` is bounded by MAX_GRACE whatever the configuration hands in.
    """
    triggers: list[tuple[datetime, str]] = []
    if current_method_hash != baseline.method_hash:
        changed = [v for v in later if v.version > baseline.version and v.method_hash != baseline.method_hash]
        if changed:
            triggers.append((changed[0].applied_at, METHOD_CHANGED))
    majors = [recorded_at for occurred_at, recorded_at in major_incidents if occurred_at >= baseline.at]
    if majors:
        triggers.append((min(majors), MAJOR_INCIDENT))
    if not triggers:
        return COVERED
    since = min(at for at, _ in triggers)
    return Outdated(since, tuple(r for _, r in sorted(triggers)), since + min(grace, MAX_GRACE))
