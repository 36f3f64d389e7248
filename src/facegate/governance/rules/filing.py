"""Rules for Art. 15: filing with the provincial cyberspace office at 100,000 people."""

from __future__ import annotations

from collections.abc import Iterator

from facegate.governance.manifest import Manifest
from facegate.governance.rules.base import Hit, RuleGroup, Severity

group = RuleGroup()

FILING_THRESHOLD = 100_000
EARLY_WARNING = 80_000


def is_filed(m: Manifest) -> bool:
    return m.filing is not None and m.filing.is_filed


@group.rule(
    "FG-15-01", ("M-15.5",), Severity.WARNING,
    title="Filing required at 100,000 people",
    message_zh="预计存储人脸信息达到10万人：须自达到之日起30个工作日内向所在地省级以上网信部门备案。",
    message_en="Stored face information is expected to reach 100,000 people: file with the provincial "
               "cyberspace office within 30 working days of reaching it.",
    remedy_zh="准备备案材料（处理者基本情况、目的和方式、存储数量和安全措施、处理规则、影响评估报告），备案后记录在 filing 中。",
    remedy_en="Prepare the five filing materials and record the filing under filing once made.",
)
def filing_needed(m: Manifest) -> Iterator[Hit]:
    if m.expected_people >= FILING_THRESHOLD and not is_filed(m):
        yield Hit("expected_people", str(m.expected_people))


@group.rule(
    "FG-15-02", ("M-15.5",), Severity.ADVICE,
    title="Approaching the filing threshold",
    message_zh="预计存储人数接近10万人，建议提前准备影响评估报告和备案材料。",
    message_en="The expected number of people is approaching 100,000; prepare the filing package early.",
    remedy_zh="提前准备备案材料并设置人数预警。",
    remedy_en="Prepare the filing package and set head-count alerts.",
)
def filing_soon(m: Manifest) -> Iterator[Hit]:
    if EARLY_WARNING <= m.expected_people < FILING_THRESHOLD and not is_filed(m):
        yield Hit("expected_people", str(m.expected_people))


@group.rule(
    "FG-15-03", ("M-15.9",), Severity.WARNING,
    title="Filing recorded without authority or number",
    message_zh="声明已备案，但未记录备案机关或备案编号。",
    message_en="The filing is marked as made, but the authority or filing number is missing.",
    remedy_zh="在 filing 中记录 authority、filing_number 和 filed_on。",
    remedy_en="Record authority, filing_number and filed_on under filing.",
)
def filing_incomplete(m: Manifest) -> Iterator[Hit]:
    f = m.filing
    if f is not None and f.is_filed and not (f.authority and f.filing_number):
        yield Hit("filing")


RULES = tuple(group.rules)
