"""Notice copy joins sentences cleanly in both languages (issue 16 item 11): no "Ltd.." and no "….)."."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from facegate.governance.loader import load_manifest
from facegate.governance.notice import build_notice

EXAMPLES = sorted((Path(__file__).resolve().parents[3] / "examples").glob("*.yaml"))
DOUBLED = re.compile(r"\.\.(?!\.)|[.。][)）][.。]|。。|；。|;\.")


def _valid(path: Path):  # type: ignore[no-untyped-def]
    try:
        return load_manifest(path.read_text(encoding="utf-8"))
    except Exception:  # noqa: BLE001 - the examples of invalid manifests have no notice
        return None


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_no_doubled_punctuation_in_any_example_notice(path: Path) -> None:
    m = _valid(path)
    if m is None:
        pytest.skip("an example of an invalid manifest")
    notice = build_notice(m)
    for text in (notice.zh, notice.en):
        for s in text.sections:
            assert not DOUBLED.search(s.body), (text.language, s.key, s.body)


def test_the_hotel_notice_reads_as_written() -> None:
    m = _valid(next(p for p in EXAMPLES if p.stem == "hotel-front-desk-check-in"))
    en = build_notice(m).en
    assert "Co., Ltd. Contact:" in en.section("processor").body  # type: ignore[union-attr]
    assert "on the spot). Saying no" in en.section("alternatives").body  # type: ignore[union-attr]


@pytest.mark.parametrize("field", ["subject", "guardian", "other"])
def test_reference_errors_in_chinese_carry_no_english_words(field: str) -> None:
    from facegate.domain.refs import check_ref
    from facegate.errors import InvalidInput

    with pytest.raises(InvalidInput) as bad:
        check_ref(" x", field)
    assert not re.search(r"[A-Za-z]", bad.value.message_zh), bad.value.message_zh
