"""1:N over one engine's gallery at a time, and the one answer when a switch of engine leaves two.

Each engine's templates are searched with a probe embedded by that engine and
judged by that engine's open-set rule (domain/openset.py). The answers then
combine conservatively: a person is named only when exactly one person is
identified and no engine found its own search ambiguous (M-4.2, M-4.4: the right
person or nobody).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from facegate.domain.gate import GateFacts, decide
from facegate.domain.model import Deployment, Operation
from facegate.domain.openset import OpenSetPlan, decide_open_set
from facegate.domain.scores import EngineId
from facegate.ports import UnitOfWork


@dataclass(frozen=True)
class Candidate:
    subject_ref: str
    distance: float


@dataclass(frozen=True)
class EngineSearch:
    """One engine's gallery: its rule, the two nearest valid people, and what the rule says of them."""

    engine: EngineId
    rule: OpenSetPlan
    people: tuple[Candidate, ...]

    @property
    def outcome(self) -> str:
        return decide_open_set(self.rule, self.people[0].distance if self.people else None,
                               self.people[1].distance if len(self.people) > 1 else None)

    def to_dict(self) -> dict[str, object]:
        return {"engine": self.engine.key, "gallery_size": self.rule.gallery_size, "threshold": self.rule.threshold,
                "target_fpir": self.rule.target_fpir, "outcome": self.outcome}


def nearest_people(tx: UnitOfWork, d: Deployment, purpose: str, hits: list[tuple[str, str, float]],
                   now: datetime) -> tuple[Candidate, ...]:
    """The nearest valid templates, one per person, nearest first: the best and the next are all the rule needs."""
    people: list[Candidate] = []
    for template_id, subject_id, distance in hits:
        if len(people) >= 2:
            break
        template = tx.templates.get(template_id)
        if template is None or template.is_expired(now):
            continue
        subject = tx.subjects.get_by_id(subject_id)
        if subject is None or any(c.subject_ref == subject.external_ref for c in people):
            continue
        facts = GateFacts(Operation.IDENTIFY, d, purpose, now, subject, tuple(tx.consents.for_subject(subject.id, d.id)),
                          subject_ref_given=True)
        if decide(facts).allowed:  # a stale or withdrawn consent takes the face out of the gallery
            people.append(Candidate(subject.external_ref, round(distance, 4)))
    return tuple(people)


def combine(searches: list[EngineSearch]) -> tuple[str, EngineSearch | None]:
    """(outcome, the search that named the person): ``ambiguous`` if any search was, or two named different people."""
    named = {s.people[0].subject_ref: s for s in searches if s.outcome == "identified"}
    if any(s.outcome == "ambiguous" for s in searches) or len(named) > 1:
        return "ambiguous", None
    if named:
        return "identified", next(iter(named.values()))
    return "no_match", None
