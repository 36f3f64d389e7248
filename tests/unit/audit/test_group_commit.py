"""GroupCommitter: concurrent callers share commits, and none returns before its records are written (M-9.3)."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime

import pytest

from facegate.adapters.sql.group_commit import GroupCommitter
from facegate.domain.audit import AuditEvent

WRITERS = 20


def _event(n: int) -> AuditEvent:
    return AuditEvent("verify", datetime(2026, 3, 2, tzinfo=UTC), detail={"n": n})


def _wait_for(predicate, timeout: float = 30.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.001)


def test_concurrent_callers_share_commits_and_return_only_once_written() -> None:
    written: list[list[int]] = []
    committed: set[int] = set()
    seen_after_return: dict[int, bool] = {}
    committer: GroupCommitter

    def write(events: list[AuditEvent]) -> None:
        if not written:  # hold the first commit until every other caller is queued behind it
            _wait_for(lambda: len(committer._queue) == WRITERS - 1)
        written.append([int(e.detail["n"]) for e in events])  # type: ignore[call-overload]
        committed.update(written[-1])

    committer = GroupCommitter(write)

    def caller(n: int) -> None:
        committer.submit([_event(n)])
        seen_after_return[n] = n in committed

    threads = [threading.Thread(target=caller, args=(n,)) for n in range(WRITERS)]
    threads[0].start()
    _wait_for(lambda: committer._leading)
    for th in threads[1:]:
        th.start()
    for th in threads:
        th.join(60)
    assert sorted(n for batch in written for n in batch) == list(range(WRITERS))  # each exactly once
    assert all(seen_after_return.values()) and len(seen_after_return) == WRITERS
    assert written[0] == [0] and len(written) == 2, written  # the other 19 went in one commit
    assert not committer._leading and not committer._queue


def test_a_failed_commit_fails_every_caller_in_it_and_the_next_one_works() -> None:
    calls: list[int] = []

    def write(events: list[AuditEvent]) -> None:
        calls.append(len(events))
        if len(calls) == 1:
            raise RuntimeError("database went away")

    committer = GroupCommitter(write)
    with pytest.raises(RuntimeError, match="went away"):
        committer.submit([_event(1), _event(2)])
    committer.submit([_event(3)])
    assert calls == [2, 1]


def test_batches_are_capped() -> None:
    sizes: list[int] = []
    committer: GroupCommitter

    def write(events: list[AuditEvent]) -> None:
        if not sizes:
            _wait_for(lambda: len(committer._queue) == 3)
        sizes.append(len(events))

    committer = GroupCommitter(write, max_batch=4)
    threads = [threading.Thread(target=committer.submit, args=([_event(n)] * 3,)) for n in range(4)]
    threads[0].start()
    _wait_for(lambda: committer._leading)
    for th in threads[1:]:
        th.start()
    for th in threads:
        th.join(60)
    assert sizes == [3, 3, 3, 3]  # two tickets of 3 would exceed 4: one per commit, none split


def test_a_unit_that_takes_the_lead_makes_the_others_queue_until_it_releases() -> None:
    written: list[int] = []
    committer = GroupCommitter(lambda events: written.append(len(events)))
    assert committer.try_lead()  # a lone unit links its records in its own transaction
    assert not committer.try_lead()
    threads = [threading.Thread(target=committer.submit, args=([_event(n)],)) for n in range(3)]
    for th in threads:
        th.start()
    _wait_for(lambda: len(committer._queue) == 3)
    assert written == []  # nothing is written while the lead is held
    committer.release()
    for th in threads:
        th.join(60)
    assert written == [3] and not committer._leading
    assert committer.try_lead()
