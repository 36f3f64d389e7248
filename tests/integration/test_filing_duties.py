"""Filing duties kept honestly (issue 12 item 11).

Art. 15 para 1: 应当在应用人脸识别技术处理的人脸信息存储数量达到10万人之日起30个工作日内……履行备案手续.
The clock starts on the day the stored count reaches 100,000, not on the day someone looks;
a rejected submission is not a filing; the working-day calendar must be sound before any
deadline is computed from it (M-15.3).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from facegate.adapters.calendar_cn import ChineseWorkdayCalendar
from facegate.bootstrap import AppContext, build_context
from facegate.domain.workdays import add_working_days
from facegate.errors import ConfigurationError
from facegate.services.consent import ConsentRequest, give_consent
from facegate.services.deployments import get_deployment
from facegate.services.faces import enroll
from facegate.services.workbench import filing
from facegate.testing import FixedClock
from facegate.web.console.wiring import workbench_deps
from tests.browser.console_server import HOTEL, HOTEL_PROCESSOR, fixed_clock, store_people, workbench_ctx
from tests.conftest import make_settings

CAL = ChineseWorkdayCalendar()


@pytest.fixture
def clock() -> FixedClock:
    return fixed_clock("2025-09-24")


@pytest.fixture
def ctx(tmp_path: Path, clock: FixedClock, database_url: str) -> Iterator[AppContext]:
    c = workbench_ctx(tmp_path, clock, "hotel-front-desk-check-in", database_url=database_url)
    yield c
    c.close()


@pytest.mark.slow
def test_the_threshold_date_is_the_day_of_the_enrolment_that_reached_it(ctx: AppContext, clock: FixedClock) -> None:
    store_people(ctx, HOTEL_PROCESSOR, HOTEL, 99_999, at=clock.now())
    assert filing.snapshot(ctx.services, workbench_deps(ctx), HOTEL_PROCESSOR) == 99_999  # last look: Wed 24 Sep
    clock.advance(days=2)  # Fri 2025-09-26: the 100,000th person is enrolled
    notice = get_deployment(ctx.services, HOTEL).notice_version
    give_consent(ctx.services, ConsentRequest(HOTEL, "guest-100000", "check_in", notice, age_attested_by="desk"))
    assert enroll(ctx.services, HOTEL, "guest-100000", "check_in", b"face:g:1").decision.allowed

    clock.advance(days=25)  # the compliance officer first opens the filing view on 21 Oct
    v = filing.view(ctx.services, workbench_deps(ctx), HOTEL_PROCESSOR)
    assert v.reached_on == date(2025, 9, 26)
    assert v.next_due is not None and v.next_due.due_on == add_working_days(date(2025, 9, 26), 30, CAL)
    assert v.status is not None and "threshold_date_uncertain" not in {a.code for a in v.status.alerts}


def test_a_rejected_filing_does_not_silence_filing_due(ctx: AppContext, clock: FixedClock) -> None:
    deps = workbench_deps(ctx)
    with ctx.services.store.transaction() as tx:
        tx.workbench.put_people_count(HOTEL_PROCESSOR, date(2025, 9, 24), 100_000, clock.now())
    filing.submit(ctx.services, deps, HOTEL_PROCESSOR, "initial_filing", authority="浙江省互联网信息办公室",
                  submitted_on=date(2025, 10, 10), status="rejected")
    v = filing.view(ctx.services, deps, HOTEL_PROCESSOR)
    assert v.next_due is not None and v.next_due.filed_on is None  # still due
    clock.advance(days=60)
    late = filing.view(ctx.services, deps, HOTEL_PROCESSOR)
    assert late.status is not None and any(a.code == "filing_overdue" for a in late.status.alerts)
    # A later submission that stands does close it.
    filing.submit(ctx.services, deps, HOTEL_PROCESSOR, "initial_filing", authority="浙江省互联网信息办公室",
                  submitted_on=clock.now().date(), filing_number="ZJ-FR-2025-0101")
    assert filing.view(ctx.services, deps, HOTEL_PROCESSOR).next_due is None


@pytest.mark.parametrize("text", [
    "2027: [not, a, mapping]\n",
    "2027:\n",  # an empty year table would mean "Monday to Friday" for a whole year
    "2027:\n  holidays: []\n  workdays: [2027-02-14]\n",
    "2027:\n  holidays: [2028-01-01]\n",
    "2027: {holidays: [2027-13-01]}\n",
])
def test_a_malformed_calendar_yaml_stops_the_node_at_start(tmp_path: Path, text: str) -> None:
    settings = make_settings(tmp_path)
    settings.data_dir.mkdir(parents=True)
    (settings.data_dir / "calendar.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(ConfigurationError) as caught:
        build_context(settings)
    assert caught.value.code == "calendar_supplement_invalid" and caught.value.article_id == "M-15.3"
    assert "calendar.yaml" in caught.value.message_en


def test_facegate_init_says_why_it_will_not_start(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from facegate.cli import context as cli_context
    from facegate.cli.main import app

    data = tmp_path / "data"
    data.mkdir()
    (data / "calendar.yaml").write_text("2027:\n", encoding="utf-8")
    monkeypatch.setenv("FACEGATE_DATA_DIR", str(data))
    monkeypatch.setenv("FACEGATE_ENV", "test")
    cli_context.local_context.cache_clear()
    try:
        result = CliRunner().invoke(app, ["init", "--no-examples"])
    finally:
        cli_context.local_context.cache_clear()
    assert result.exit_code == 4
    assert "calendar_supplement_invalid" in result.output and "calendar.yaml" in result.output
