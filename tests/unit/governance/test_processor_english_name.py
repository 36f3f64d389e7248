"""The processor's name in both languages: the English one is optional and pages fall back visibly (M-5.2).

Adding the English name later rewords the notice people read, so it makes a new notice
version that is told, not re-consented (M-5.4): the processor is the same organisation.
"""

from __future__ import annotations

from typing import Any

from facegate.domain.model import Processor
from facegate.domain.terms import material_changes
from facegate.governance.mapping import consent_terms, to_processor
from facegate.governance.notice import build_notice, notice_changes
from tests.unit.governance.conftest import DELETE

ZH = "杭州测试酒店有限公司"


def _processor_section(make: Any, **patch: Any) -> str:
    return build_notice(make(patch)).en.section("processor").body  # type: ignore[union-attr]


def test_the_english_name_may_be_left_out(make: Any) -> None:
    for m in (make({"processor.name.en": DELETE}), make({"processor.name": ZH})):  # a mapping or a plain string
        assert m.processor.name.zh == ZH and m.processor.name.en == ""
        assert to_processor(m).name == ZH and to_processor(m).name_en == ""


def test_the_english_notice_says_when_it_shows_the_chinese_name(make: Any) -> None:
    body = _processor_section(make, **{"processor.name.en": DELETE})
    assert ZH in body and "no English name" in body
    assert "Hangzhou Test Hotel Co., Ltd." in _processor_section(make)


def test_adding_the_english_name_is_a_new_notice_version_told_not_reconsented(make: Any) -> None:
    before, after = make({"processor.name.en": DELETE}), make()
    old, new = build_notice(before), build_notice(after)
    assert old.version != new.version  # the text people see changed (M-5.4)
    assert notice_changes(old, new) == ["processor"]
    assert old.zh == new.zh  # the Chinese notice is word for word the same
    assert material_changes(consent_terms(before), consent_terms(after)) == ()  # no fresh consent needed


def test_processor_names_by_language() -> None:
    p = Processor("p1", ZH, name_en="Hangzhou Test Hotel Co., Ltd.")
    assert p.name_in("zh") == ZH and p.name_in("en") == "Hangzhou Test Hotel Co., Ltd."
    bare = Processor("p1", ZH)
    assert bare.name_in("en").startswith(ZH) and "no English name" in bare.name_in("en")
