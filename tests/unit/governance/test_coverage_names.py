"""Every 'covered' line in docs/rules.md names what enforces it and a test that proves it, and both exist.

Issue 12 item 12: governance/coverage.py had marked requirements as covered by features that
did not exist. Names are checked here, so a renamed function or a deleted test fails the suite.
"""

from __future__ import annotations

import importlib
import re
from pathlib import Path
from typing import Any

import pytest

from facegate.domain import reasons
from facegate.domain.model import Operation
from facegate.governance.coverage import CODE_CATEGORIES, COVERAGE, OTHER_CATEGORIES
from facegate.governance.docs import render_rules_markdown
from facegate.governance.mapping import to_deployment
from facegate.governance.notice import build_notice
from facegate.governance.rules import rule_by_id
from facegate.domain.model import DeploymentStatus

ROOT = Path(__file__).resolve().parents[3]
REASON_CODES = {v.code for v in vars(reasons).values() if isinstance(v, reasons.Reason)}


def _resolves(name: str) -> bool:
    if name.startswith("reason:"):
        return name.removeprefix("reason:") in REASON_CODES
    if re.fullmatch(r"FGR?-\d{2}-\d{2}", name):
        try:
            rule_by_id(name)
        except KeyError:
            return False
        return True
    parts = name.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj: Any = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for attr in parts[cut:]:
            if not hasattr(obj, attr):
                return False
            obj = getattr(obj, attr)
        return True
    return False


def _test_exists(ref: str) -> bool:
    path, _, name = ref.partition("::")
    file = ROOT / path
    return file.is_file() and re.search(rf"^def {re.escape(name)}\(", file.read_text(encoding="utf-8"), re.M) is not None


@pytest.mark.parametrize("req_id", sorted(COVERAGE))
def test_covered_entries_name_real_code_and_real_tests(req_id: str) -> None:
    entry = COVERAGE[req_id]
    assert entry.category in CODE_CATEGORIES + OTHER_CATEGORIES, req_id
    if entry.is_covered:
        assert entry.by and entry.tests, f"{req_id}: a covered entry names what enforces it and its tests"
    assert [b for b in entry.by if not _resolves(b)] == [], req_id
    assert [t for t in entry.tests if not _test_exists(t)] == [], req_id


def test_not_yet_is_said_in_the_rules_page() -> None:
    md = render_rules_markdown()
    for req_id, entry in COVERAGE.items():
        if entry.category == "not yet":
            line = next(x for x in md.splitlines() if x.startswith(f"| {req_id} |"))
            assert "not yet:" in line


def test_there_is_no_detect_only_operation() -> None:
    # M-2.3: nothing facegate does is face detection without identity recognition.
    assert {op.value for op in Operation} == {"enroll", "verify", "identify", "delete", "alternative"}


def test_notice_and_expiry_share_one_retention(make: Any) -> None:
    # M-8.6: the notice's period and the period templates expire after are the same number.
    for days in (7, 30, 45):
        m = make({"retention.days": days, "retention.basis": "Long-stay guests stay up to six weeks at most."})
        zh, en = build_notice(m).zh.section("retention"), build_notice(m).en.section("retention")
        assert zh is not None and en is not None
        assert f"最多保存{days}天" in zh.body and f"at most {days} days" in en.body
        assert to_deployment(m, status=DeploymentStatus.ACTIVE, version=1).retention_days == days


def test_an_anonymised_flag_is_refused(make: Any) -> None:
    # M-19.3: templates are face information; the manifest cannot declare them anonymised.
    from pydantic import ValidationError

    with pytest.raises(ValidationError):
        make({"anonymised": True})
