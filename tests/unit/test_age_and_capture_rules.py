"""The M-7.1 age rules and the M-14.3 capture window, as the consent service and the kiosk both call them."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from facegate.domain import reasons as R
from facegate.domain.age import AgeBasis, attestation_overruled, is_under_14
from facegate.domain.capture import CAPTURE_WINDOW, is_capture_window_open


def test_under_14_until_the_fourteenth_birthday_and_29_february_turns_on_1_march() -> None:
    assert is_under_14(date(2011, 9, 26), date(2025, 9, 25))
    assert not is_under_14(date(2011, 9, 26), date(2025, 9, 26))
    assert is_under_14(date(2012, 2, 29), date(2026, 2, 28)) and not is_under_14(date(2012, 2, 29), date(2026, 3, 1))


def test_an_attestation_cannot_overrule_a_recorded_birth_date() -> None:
    today = date(2025, 9, 26)
    child_until = date(2026, 1, 1)
    assert attestation_overruled(AgeBasis.ATTESTED_14_OR_OVER, child_until, today, True) == R.GUARDIAN_CONSENT_MISSING
    assert attestation_overruled(AgeBasis.ATTESTED_14_OR_OVER, child_until, today, False) == R.MINORS_NOT_ALLOWED
    assert attestation_overruled(AgeBasis.ATTESTED_14_OR_OVER, None, today, False) is None
    assert attestation_overruled(AgeBasis.ATTESTED_14_OR_OVER, date(2025, 9, 26), today, False) is None  # turned 14
    assert attestation_overruled(AgeBasis.BIRTH_DATE, child_until, today, False) is None  # age_problem judges that


def test_the_capture_window_closes_after_thirty_minutes() -> None:
    given = datetime(2025, 9, 26, 9, 0, tzinfo=UTC)
    assert is_capture_window_open(given, given + CAPTURE_WINDOW)
    assert not is_capture_window_open(given, given + CAPTURE_WINDOW + timedelta(seconds=1))
