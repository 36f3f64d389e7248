"""The under-14 rule, in one place: age on the day of processing, and who must consent (M-7.x).

Measures Art. 7 para 1 and PIPL Art. 31: processing the face of a child under 14
on the basis of consent needs a parent's or other guardian's consent. Whether a
deployment may meet children at all is declared in its manifest; where it may,
every consent (or, on a statutory basis, every notice record) must carry an age
assertion: a date of birth, or the integrator's recorded attestation that the
person is 14 or over (M-7.1).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date

from facegate.domain import reasons as R
from facegate.domain.reasons import Reason

GUARDIAN_AGE = 14


class AgeBasis(str, enum.Enum):
    """How a person's age was established when they (or a guardian) consented."""

    BIRTH_DATE = "birth_date"
    ATTESTED_14_OR_OVER = "attested_14_or_over"  # the integrator checked (e.g. an ID card) and says so


def age_on(birth_date: date, day: date) -> int:
    """Whole years of age on ``day`` (M-7.1 counts age on the date of processing)."""
    years = day.year - birth_date.year
    if (day.month, day.day) < (birth_date.month, birth_date.day):
        years -= 1
    return years


def fourteenth_birthday(birth_date: date) -> date:
    """The first day on which the person is 14; 29 February births turn on 1 March."""
    try:
        return birth_date.replace(year=birth_date.year + GUARDIAN_AGE)
    except ValueError:
        return date(birth_date.year + GUARDIAN_AGE, 3, 1)


def is_under_14(birth_date: date, day: date) -> bool:
    """Whether a guardian must consent for this person on ``day`` (M-7.1)."""
    return day < fourteenth_birthday(birth_date)


def minor_until(birth_date: date | None, today: date) -> date | None:
    """The 14th birthday while the person is still a child, else None (kept instead of the birth date)."""
    if birth_date is None:
        return None
    turns_14 = fourteenth_birthday(birth_date)
    return turns_14 if today < turns_14 else None


def age_problem(*, basis: AgeBasis | None, minor_until_day: date | None, today: date, may_meet_minors: bool,
                minors_allowed: bool, consent_based: bool, by_guardian: bool) -> Reason | None:
    """Why this person may not be processed on this day for age reasons, or None.

    ``minor_until_day`` is what a date of birth told us (None: adult, or no date given).
    The same rule runs when consent is given and at every face operation.
    """
    is_minor = minor_until_day is not None and today < minor_until_day
    if basis is None and not is_minor and may_meet_minors:
        return R.AGE_NOT_ESTABLISHED
    if is_minor and not minors_allowed:
        return R.MINORS_NOT_ALLOWED
    if is_minor and consent_based and not by_guardian:
        return R.GUARDIAN_CONSENT_MISSING
    return None


def attestation_overruled(basis: AgeBasis | None, recorded_minor_until: date | None, today: date,
                          minors_allowed: bool) -> Reason | None:
    """An attestation of "14 or over" cannot overrule a date of birth already on record (M-7.1)."""
    if basis is AgeBasis.ATTESTED_14_OR_OVER and recorded_minor_until is not None and today < recorded_minor_until:
        return R.GUARDIAN_CONSENT_MISSING if minors_allowed else R.MINORS_NOT_ALLOWED
    return None


@dataclass(frozen=True)
class AgeAssertion:
    """What the integrator told us about a person's age, as recorded with a consent."""

    basis: AgeBasis
    birth_date: date | None = None
    attested_by: str | None = None  # who attested "14 or over" (staff id, system name)

    def minor_until(self, today: date) -> date | None:
        return minor_until(self.birth_date, today) if self.basis is AgeBasis.BIRTH_DATE else None
