"""How a unit of work's record reaches the chain: only units that open a transaction pay for one (M-9.3, issue 14).

A unit whose only write is its record (a verify, an identify, a refusal) checks out no
connection of its own: its record is group-committed and the unit returns once that commit
is done. A unit that opened a transaction anyway links its record inside it: one commit,
never a second transaction. Both databases.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.exc import DBAPIError

from facegate.bootstrap import AppContext, build_context
from facegate.domain.audit import AuditEvent
from facegate.domain.intrusion import SecurityEvent
from facegate.services import audit
from facegate.testing import FakeFaceEngine, FixedClock
from tests.conftest import make_settings


def _event(n: int) -> AuditEvent:
    return AuditEvent("verify", datetime(2026, 3, 2, tzinfo=UTC), actor="k_test", detail={"n": n})


@pytest.fixture
def checkouts(fake_ctx: AppContext) -> Iterator[list[int]]:
    """Connections checked out of the store's write and read pools while the test runs."""
    seen: list[int] = []

    def count(*_args: Any) -> None:
        seen.append(1)

    engines = {id(e): e for e in (fake_ctx.store.engine, fake_ctx.store.read_engine)}.values()
    for engine in engines:
        event.listen(engine, "checkout", count)
    yield seen
    for engine in engines:
        event.remove(engine, "checkout", count)


def _head(ctx: AppContext) -> int:
    with ctx.store.transaction(readonly=True) as tx:
        return tx.record.head()[0]


def test_a_record_only_unit_opens_no_transaction_and_returns_once_committed(
        fake_ctx: AppContext, checkouts: list[int]) -> None:
    before = _head(fake_ctx)
    checkouts.clear()
    with fake_ctx.store.transaction() as tx:
        tx.record.append(_event(1))
        assert not tx.opened
    assert len(checkouts) == 1  # the group commit's, none of the unit's own
    assert _head(fake_ctx) == before + 1
    with fake_ctx.store.transaction(readonly=True) as tx:
        last = list(tx.record.events(before + 1))
    assert [c.event.detail for c in last] == [{"n": 1}]
    assert audit.verify_records(fake_ctx.services).ok


def test_a_unit_that_read_links_its_record_in_its_own_transaction(
        fake_ctx: AppContext, checkouts: list[int]) -> None:
    before = _head(fake_ctx)
    checkouts.clear()
    with fake_ctx.store.transaction() as tx:
        tx.gallery_log.version()  # a read: the unit has its transaction open anyway
        tx.record.append(_event(2))
        assert tx.opened
    assert len(checkouts) == 1  # no second transaction for the record
    assert _head(fake_ctx) == before + 1


def test_a_unit_that_writes_commits_its_record_with_its_write_or_neither(fake_ctx: AppContext) -> None:
    before = _head(fake_ctx)
    with pytest.raises(RuntimeError), fake_ctx.store.transaction() as tx:
        tx.security.add(SecurityEvent("test", "low", None, "test", None, datetime.now(UTC)))
        tx.record.append(_event(3))
        raise RuntimeError("the operation failed")
    with pytest.raises(RuntimeError), fake_ctx.store.transaction() as tx:
        tx.record.append(_event(4))  # record only, and the body fails: nothing is queued either
        raise RuntimeError("the operation failed")
    assert _head(fake_ctx) == before
    with fake_ctx.store.transaction() as tx:
        tx.security.add(SecurityEvent("test", "low", None, "test", None, datetime.now(UTC)))
        tx.record.append(_event(5))
    assert _head(fake_ctx) == before + 1


def test_a_failed_group_commit_reaches_every_waiting_unit_as_a_database_error(fake_ctx: AppContext) -> None:
    """The batch is written on the driver's connection; its failure still comes as SQLAlchemy's error
    (the web layer's 503), nothing of the batch stays, and the next unit appends normally."""
    engine = fake_ctx.store.engine
    sqlite = engine.dialect.name == "sqlite"
    refuse = ("CREATE TRIGGER refuse BEFORE INSERT ON audit_events WHEN NEW.kind = 'blocked' "
              "BEGIN SELECT RAISE(ABORT, 'refused'); END" if sqlite else
              "ALTER TABLE audit_events ADD CONSTRAINT refuse CHECK (kind <> 'blocked')")
    with engine.begin() as conn:
        conn.exec_driver_sql(refuse)
    before = _head(fake_ctx)
    with pytest.raises(DBAPIError), fake_ctx.store.transaction() as tx:
        tx.record.append(AuditEvent("blocked", datetime(2026, 3, 2, tzinfo=UTC), detail={}))
    assert _head(fake_ctx) == before
    with fake_ctx.store.transaction() as tx:
        tx.record.append(_event(6))
    assert _head(fake_ctx) == before + 1
    assert audit.verify_records(fake_ctx.services).ok


def test_a_unit_waiting_for_the_write_lock_holds_up_no_other_unit(tmp_path: Path, clock: FixedClock) -> None:
    """SQLite: unit B waits in BEGIN IMMEDIATE for unit A's write lock, opening its connection on first use of
    a repository; A then makes the same repository for itself. Nothing shared may be held while B waits
    (functools.cached_property holds one lock per attribute for every instance on Python 3.11), or A
    waits for B and B for A until SQLite's busy timeout fails one of them."""
    ctx = build_context(make_settings(tmp_path, f"sqlite:///{tmp_path / 'units.db'}"), clock=clock,
                        engine=FakeFaceEngine())
    errors: list[BaseException] = []
    a_holds_lock, b_done = threading.Event(), threading.Event()

    def unit_b() -> None:
        try:
            a_holds_lock.wait()
            with ctx.store.transaction() as tx:
                tx.security.add(SecurityEvent("test", "low", None, "b", None, datetime.now(UTC)))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            b_done.set()

    try:
        b = threading.Thread(target=unit_b)
        b.start()
        with ctx.store.transaction() as tx:
            tx.record.head()  # opens A's connection: BEGIN IMMEDIATE, A holds the write lock
            a_holds_lock.set()
            time.sleep(0.5)  # B is now waiting for the lock, inside tx.security
            tx.security.add(SecurityEvent("test", "low", None, "a", None, datetime.now(UTC)))
        assert b_done.wait(60)
        b.join()
        assert not errors, errors
    finally:
        ctx.close()
