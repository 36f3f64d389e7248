"""The rule catalog: every manifest rule, ``evaluate()`` and the runtime rules."""

from __future__ import annotations

from facegate.governance.manifest import Manifest
from facegate.governance.rules import (
    alternatives,
    assessment,
    filing,
    notice_consent,
    places,
    scope_purpose,
    security,
    storage,
)
from facegate.governance.rules.base import Evaluation, Finding, Hit, Rule, Severity, sort_findings
from facegate.governance.rules.runtime import RUNTIME_RULES, RuntimeFacts, evaluate_runtime

RULES: tuple[Rule, ...] = tuple(sorted(
    (*scope_purpose.RULES, *notice_consent.RULES, *storage.RULES, *assessment.RULES,
     *alternatives.RULES, *places.RULES, *security.RULES, *filing.RULES),
    key=lambda r: r.id,
))

ALL_RULES: tuple[Rule, ...] = (*RULES, *RUNTIME_RULES)


def rule_by_id(rule_id: str) -> Rule:
    for r in ALL_RULES:
        if r.id == rule_id:
            return r
    raise KeyError(rule_id)


def evaluate(m: Manifest) -> Evaluation:
    """Run every manifest rule; findings sorted by article, then severity."""
    return Evaluation(sort_findings(f for r in RULES for f in r.findings(m)))


__all__ = [
    "ALL_RULES", "RULES", "RUNTIME_RULES", "Evaluation", "Finding", "Hit", "Rule", "RuntimeFacts",
    "Severity", "evaluate", "evaluate_runtime", "rule_by_id", "sort_findings",
]
