"""The M-9.5 re-assessment rule in domain.reassessment: triggers, their dates, and the bounded grace."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

from facegate.domain.reassessment import (
    MAX_GRACE,
    AppliedVersion,
    Baseline,
    declared_baseline,
    outdated,
)

T0 = datetime(2025, 9, 1, tzinfo=UTC)
BASE = Baseline(2, "h-old", T0)


def test_a_later_method_change_starts_the_grace_from_when_it_was_applied() -> None:
    later = [AppliedVersion(3, "h-old", T0 + timedelta(days=1)), AppliedVersion(4, "h-new", T0 + timedelta(days=5))]
    out = outdated(BASE, "h-new", later, [], timedelta(days=10))
    assert out.reasons == ("purpose_or_method_changed",) and out.since == T0 + timedelta(days=5)
    assert out.blocks_from == T0 + timedelta(days=15)
    assert not out.is_blocking(T0 + timedelta(days=14)) and out.is_blocking(T0 + timedelta(days=15))


def test_an_unchanged_method_never_reads_the_versions() -> None:
    def versions() -> Iterator[AppliedVersion]:
        raise AssertionError("read")
        yield  # a generator: the body runs only when read

    assert outdated(BASE, "h-old", versions(), [], timedelta(days=10)).reasons == ()


def test_a_major_incident_counts_from_when_it_was_recorded_and_only_after_the_baseline() -> None:
    before = (T0 - timedelta(days=3), T0 - timedelta(days=2))
    after = (T0 + timedelta(days=2), T0 + timedelta(days=4))
    out = outdated(BASE, "h-old", [], [before, after], timedelta(days=1))
    assert out.reasons == ("major_incident",) and out.since == T0 + timedelta(days=4)
    assert outdated(BASE, "h-old", [], [before], timedelta(days=1)).since is None


def test_the_grace_is_bounded_whatever_the_configuration_says() -> None:
    out = outdated(BASE, "h-old", [], [(T0, T0)], timedelta(days=365))
    assert out.blocks_from == T0 + MAX_GRACE


def test_a_declared_pia_covers_the_latest_run_of_versions_that_still_declare_it() -> None:
    pia = {"date": "2025-09-01"}
    assert declared_baseline(pia, [(1, pia), (2, None), (3, pia), (4, pia)]) == 3
    assert declared_baseline(pia, [(1, pia), (2, {"date": "2025-01-01"})]) is None
