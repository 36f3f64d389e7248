"""The filing tracker over the live store: 100,000 stored people, working-day deadline, records, cancellation (M-15.x)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest

from facegate import bootstrap
from facegate.adapters.calendar_cn import calendar_for
from facegate.bootstrap import AppContext
from facegate.domain.filing import TaskKind
from facegate.errors import InvalidInput
from facegate.services.workbench import filing
from facegate.testing import FixedClock
from facegate.web.console.wiring import workbench_deps
from tests.browser.console_server import (
    HOTEL,
    HOTEL_PROCESSOR,
    METRO_PROCESSOR,
    fixed_clock,
    store_people,
    workbench_ctx,
)


@pytest.fixture
def clock() -> FixedClock:
    return fixed_clock("2025-09-24")


@pytest.fixture
def ctx(tmp_path: Path, clock: FixedClock, database_url: str) -> Iterator[AppContext]:
    c = workbench_ctx(tmp_path, clock, "hotel-front-desk-check-in", "metro-station-signed", database_url=database_url)
    yield c
    c.close()


@pytest.mark.slow
def test_crossing_100000_gives_the_due_date_on_the_working_day_calendar(ctx: AppContext, clock: FixedClock) -> None:
    deps = workbench_deps(ctx)
    store_people(ctx, HOTEL_PROCESSOR, HOTEL, 95_000, at=clock.now())
    before = filing.view(ctx.services, deps, HOTEL_PROCESSOR)  # Wed 2025-09-24: 95,000, warnings only
    assert before.count == 95_000 and before.status and not before.status.tasks
    assert {a.code for a in before.status.alerts} == {"count_level_reached"}  # 80,000 and 90,000 (M-15.5)

    clock.advance(days=2)  # Fri 2025-09-26
    store_people(ctx, HOTEL_PROCESSOR, HOTEL, 5_000, at=clock.now())
    v = filing.view(ctx.services, deps, HOTEL_PROCESSOR)
    assert v.count == 100_000 and v.status is not None
    assert v.status.threshold_reached_on == date(2025, 9, 26)  # inclusive (M-15.2)
    task = v.next_due
    assert task is not None and task.kind is TaskKind.INITIAL
    # Day 1 is Sun 28 Sep (a make-up working day), 1-8 Oct are the National Day holiday and
    # Sat 11 Oct is worked: the 30th working day is Thu 13 Nov 2025 (M-15.3).
    assert task.due_on == date(2025, 11, 13)
    assert task.countdown is not None and task.countdown.working_days_left == 30
    assert [d for d, _ in v.series] == [date(2025, 9, 24), date(2025, 9, 26)]
    # The other processor's count is separate (M-15.1: per handler).
    assert filing.view(ctx.services, deps, METRO_PROCESSOR).count == 0

    clock.advance(days=40)  # 2025-11-05: warnings fire as the deadline nears
    near = filing.view(ctx.services, deps, HOTEL_PROCESSOR)
    assert near.next_due and near.next_due.countdown and near.next_due.countdown.working_days_left == 6
    assert any(a.code == "deadline_near" for a in near.status.alerts)  # type: ignore[union-attr]
    filing.submit(ctx.services, deps, HOTEL_PROCESSOR, "initial_filing", authority="浙江省互联网信息办公室",
                  submitted_on=date(2025, 11, 5), filing_number="ZJ-FR-2025-0042")
    done = filing.view(ctx.services, deps, HOTEL_PROCESSOR)
    assert done.next_due is None and done.status and done.status.tasks[0].filed_on == date(2025, 11, 5)
    rec = done.records[0]
    assert (rec.authority, rec.filing_number, rec.status) == ("浙江省互联网信息办公室", "ZJ-FR-2025-0042", "submitted")
    assert rec.retain_until == date(2028, 11, 5)  # kept with the PIA records (M-15.9, M-9.4)
    filing.submit(ctx.services, deps, HOTEL_PROCESSOR, "initial_filing", authority="浙江省互联网信息办公室",
                  submitted_on=date(2025, 11, 20), filing_number="ZJ-FR-2025-0042", status="accepted",
                  record_id=rec.id)
    history = filing.view(ctx.services, deps, HOTEL_PROCESSOR).records[0].history
    assert [h["status"] for h in history] == ["submitted", "accepted"]


def test_a_deadline_in_a_year_without_data_is_a_clear_error_until_calendar_yaml_supplies_it(
        tmp_path: Path, database_url: str) -> None:
    clock = fixed_clock("2026-11-26")
    ctx = workbench_ctx(tmp_path, clock, "hotel-front-desk-check-in", database_url=database_url)
    try:
        with ctx.services.store.transaction() as tx:  # the day's recorded peak; the live store is empty
            tx.workbench.put_people_count(HOTEL_PROCESSOR, clock.now().date(), 100_000, clock.now())
        v = filing.view(ctx.services, workbench_deps(ctx), HOTEL_PROCESSOR)
        assert v.series[-1][1] == 100_000 and v.status is not None and v.status.tasks == ()
        assert v.error is not None and v.error.code == "calendar_year_missing" and v.error.detail["year"] == 2027
        assert filing.status_json(v)["error"]["article_id"] == "M-15.3"
        assert v.reached_on == date(2026, 11, 26)  # the date is known; only the deadline is not
        (ctx.settings.data_dir / "calendar.yaml").write_text(
            "2027:\n  holidays: [2027-01-01]\n  workdays: []\n", encoding="utf-8")
        deps = bootstrap.workbench_deps(ctx.settings, ctx.store.hash_fn)  # the file is read at start
        assert "calendar.yaml (2027)" in deps.calendar_note
        fixed = filing.view(ctx.services, deps, HOTEL_PROCESSOR)
        assert fixed.error is None and fixed.next_due is not None
        assert fixed.next_due.due_on == date(2027, 1, 8)  # 1 January off, the rest Monday to Friday
    finally:
        ctx.close()


def test_a_malformed_calendar_yaml_is_reported_not_fatal(tmp_path: Path) -> None:
    (tmp_path / "calendar.yaml").write_text("2027: [not, a, mapping]\n", encoding="utf-8")
    calendar, note, problem = calendar_for(tmp_path)
    assert problem is not None and problem.code == "calendar_supplement_invalid" and not calendar.covers(2027)
    (tmp_path / "calendar.yaml").write_text("2027:\n  holidays: [2028-01-01]\n", encoding="utf-8")
    assert calendar_for(tmp_path)[2].code == "calendar_supplement_invalid"  # type: ignore[union-attr]


def test_change_filing_and_cancellation_with_disposal(ctx: AppContext, clock: FixedClock) -> None:
    deps = workbench_deps(ctx)
    store_people(ctx, HOTEL_PROCESSOR, HOTEL, 10, at=clock.now())
    with pytest.raises(InvalidInput):
        filing.open_change(ctx.services, deps, HOTEL_PROCESSOR, "bigger_logo", date(2025, 9, 24))
    filing.open_change(ctx.services, deps, HOTEL_PROCESSOR, "new_method", date(2025, 9, 24))
    assert filing.snapshot(ctx.services, deps, HOTEL_PROCESSOR) == 10
    stop = filing.stop_deployment(ctx.services, deps, HOTEL)
    assert (stop.templates_disposed, stop.subjects) == (10, 10)
    with ctx.services.store.transaction(readonly=True) as tx:
        assert tx.templates.count_people(HOTEL_PROCESSOR) == 0  # face data disposed of (M-15.7, P-47.1)
        assert tx.deployments.get(HOTEL).status.value == "inactive"  # type: ignore[union-attr]
    v = filing.view(ctx.services, deps, HOTEL_PROCESSOR)
    kinds = {t.kind: t for t in v.open_tasks}
    assert kinds[TaskKind.CHANGE].due_on == date(2025, 11, 11)  # 30 working days after 24 Sep (M-15.6)
    cancel = kinds[TaskKind.CANCELLATION]
    assert cancel.requires_disposal and cancel.event_on == date(2025, 9, 24) and cancel.due_on == date(2025, 11, 11)
    assert v.count == 0 and v.series[-1] == (date(2025, 9, 24), 10)  # the day keeps its highest count
    assert clock.now().date() + timedelta(days=1) > cancel.event_on
