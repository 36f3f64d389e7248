"""The Art. 5 notice: required sections, both languages, minors' rules, versions and changes."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from facegate.governance.notice import build_notice, notice_changes

REQUIRED = ("processor", "purposes", "method", "retention", "necessity", "rights_impact", "rights")


def test_required_sections_in_both_languages(make: Any) -> None:
    n = build_notice(make())
    for text in (n.zh, n.en):
        keys = [s.key for s in text.sections]
        assert all(k in keys for k in REQUIRED)
        assert all(s.heading and s.body for s in text.sections)
    assert n.keys == tuple(s.key for s in n.en.sections)
    assert n.zh.title.endswith("测试酒店前台") and n.en.title.endswith("Test hotel front desk")


def test_content_reflects_manifest(make: Any) -> None:
    n = build_notice(make())
    assert "杭州测试酒店有限公司" in n.zh.section("processor").body  # type: ignore[union-attr]
    assert "0571-8796 2200" in n.en.section("processor").body  # type: ignore[union-attr]
    assert "30" in n.zh.section("retention").body  # type: ignore[union-attr]
    assert "at most 30 days" in n.en.section("retention").body  # type: ignore[union-attr]
    assert "check-in" in n.en.section("purposes").body  # type: ignore[union-attr]
    assert "One-to-one" in n.en.section("method").body  # type: ignore[union-attr]
    rights = n.en.section("rights").body  # type: ignore[union-attr]
    assert "withdraw" in rights and "delete" in rights and "complain" in rights
    alt = n.en.section("alternatives").body  # type: ignore[union-attr]
    assert "Staff check" in alt and "does not stop you" in alt


def test_transmission_and_one_to_many_are_disclosed(make: Any) -> None:
    n = build_notice(make({"method.mode": "1:N", "storage.locality": "central",
                           "storage.internet_transmission": True, "storage.destination": "Cloud X"}))
    method = n.en.section("method").body  # type: ignore[union-attr]
    assert "One-to-many" in method and "Cloud X" in method and "our servers" in method


def test_no_alternatives_section_when_none(make: Any) -> None:
    assert build_notice(make({"alternatives": []})).en.section("alternatives") is None


def test_minors_section_only_when_allowed(make: Any) -> None:
    assert build_notice(make()).zh.section("minors") is None
    rules = {k: {"zh": f"{k}规则。", "en": f"{k} rule."} for k in ("storage", "use", "transfer", "disclosure")}
    n = build_notice(make({"minors.under_14_allowed": True, "minors.guardian_consent": True,
                           "minors.special_rules": rules}))
    zh = n.zh.section("minors")
    en = n.en.section("minors")
    assert zh is not None and en is not None
    assert "监护人" in zh.body and "storage rule." in en.body and "disclosure rule." in en.body
    assert en.heading == "Rules for children under 14"


def test_missing_minor_rules_are_marked(make: Any) -> None:
    n = build_notice(make({"minors.under_14_allowed": True}))
    assert "(not yet written)" in n.en.section("minors").body  # type: ignore[union-attr]


def test_version_is_a_stable_content_hash(make: Any) -> None:
    a, b = build_notice(make()), build_notice(make())
    assert a.version == b.version and len(a.version) == 64
    assert build_notice(make({"retention.days": 31})).version != a.version


def test_notice_is_frozen(make: Any) -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        build_notice(make()).version = "x"  # type: ignore[misc]


def test_notice_changes_lists_changed_sections(make: Any) -> None:
    old = build_notice(make())
    assert notice_changes(old, old) == []
    new = build_notice(make({"retention.days": 14, "notice.extra": {"zh": "补充。", "en": "More."}}))
    assert notice_changes(old, new) == ["retention", "extra"]
    assert notice_changes(old, build_notice(make({"alternatives": []}))) == ["alternatives"]
    assert notice_changes(old, build_notice(make({"name.en": "New name"}))) == ["title"]
