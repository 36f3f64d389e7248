"""The record encodes each event once (``EncodedEvent``, issue 14): the chain's bytes must not change at all.

The old path is the oracle: ``normalize_event``, then ``link``/``canonical`` for the hash, ``canonical_json``
of the normalised fields for the stored text, and ``refs.text_problem`` on every string for the NUL guard.
"""

from __future__ import annotations

import hashlib
import math
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from enum import IntEnum

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from facegate.domain.audit import GENESIS, AuditEvent, EncodedEvent, canonical, canonical_json, link
from facegate.domain.chain_export import normalize_event
from facegate.domain.refs import text_problem


def _sha(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def _old_guard(value: object) -> bool:  # record_append._has_bad_text before EncodedEvent
    if isinstance(value, str):
        return text_problem(value) is not None
    if isinstance(value, dict):
        return any(_old_guard(k) or _old_guard(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(_old_guard(v) for v in value)
    return False


class _Level(IntEnum):
    LOW = 1
    HIGH = 20


# Unicode of every plane, NUL, the text "\u0000", backslashes and quotes, so escaping is exercised.
_text = st.lists(st.text(st.characters(codec="utf-8"), max_size=4)
                 | st.sampled_from(["\x00", "\\u0000", "\\", "u0000", '"', "\u2028", "é", "😀"]),
                 max_size=4).map("".join)
_num = st.integers() | st.integers(min_value=-2**70, max_value=2**70) | st.floats()
_leaf = (st.none() | st.booleans() | _num | _text | st.sampled_from([_Level.LOW, _Level.HIGH])
         | st.datetimes(timezones=st.just(UTC)) | st.decimals(allow_nan=False, places=3))
_json = st.recursive(
    _leaf,
    lambda inner: (st.lists(inner, max_size=3) | st.lists(inner, max_size=3).map(tuple)
                   | st.dictionaries(_text, inner, max_size=3)
                   | st.dictionaries(st.integers(-50, 50) | st.floats(allow_nan=False), inner, max_size=3)),
    max_leaves=10)
_zones = st.sampled_from([UTC, timezone(timedelta(hours=8)), timezone(timedelta(hours=-5, minutes=-30))])
_events = st.builds(
    AuditEvent, kind=_text, at=st.datetimes(timezones=_zones), actor=_text,
    deployment_id=st.none() | _text, subject_ref=st.none() | _text, allowed=st.none() | st.booleans(),
    reason_codes=st.lists(_text | st.integers(), max_size=3).map(tuple),
    detail=st.dictionaries(_text, _json, max_size=4) | st.dictionaries(st.integers(-20, 20), _json, max_size=4),
)


def _same_as_old(event: AuditEvent, seq: int, prev: str) -> None:
    old = normalize_event(event)
    new = EncodedEvent.of(event)
    assert new.head + b"%d" % seq + new.tail == canonical(seq, old)
    assert new.link(prev, seq, _sha) == link(prev, seq, old, _sha)
    assert new.reason_codes_json == canonical_json(list(old.reason_codes))
    assert new.detail_json == canonical_json(old.detail)
    assert canonical(seq, new.event) == canonical(seq, old)  # the event it carries is normalised the same
    assert new.event.reason_codes == old.reason_codes and type(new.event.detail) is dict
    assert new.has_nul() == _old_guard((old.kind, old.actor, old.deployment_id, old.subject_ref,
                                        old.reason_codes, old.detail))


@settings(max_examples=1500, deadline=None)
@given(event=_events, seq=st.integers(min_value=1, max_value=2**62), prev=st.binary(min_size=32, max_size=32))
def test_encoded_event_hashes_and_stores_the_same_bytes(event: AuditEvent, seq: int, prev: bytes) -> None:
    _same_as_old(event, seq, prev.hex())


@pytest.mark.parametrize("detail", [
    {},
    {"a": (), "b": [(), ((),)], "c": {"d": ()}},  # empty tuples become lists
    {10: "x", 9.5: "y", 2: {100: 1, 11: 2}},  # numeric keys: their string order differs from their own
    {"f": 0.1, "g": 1e300, "h": -0.0, "i": 2**64, "j": 1.0, "k": math.inf, "l": -math.inf, "m": math.nan},
    {"t": "中文 — ünïcödé 😀", "esc": "a\"b\\c\n\t\u2028", "nested": {"z": 1, "a": [1, {"b": None}]}},
    {"when": datetime(2026, 3, 2, 9, tzinfo=UTC), "amount": Decimal("1.50"), "level": _Level.HIGH},
    {"nul": "a\x00b"}, {"json_nul": "\\u0000"}, {"a\x00": 1}, {"deep": [{"x": ("\\u0000",)}]},
    {"backslashes": "\\\\u0000"}, {"almost": "\\u00000", "not": "u0000"},
])
def test_chosen_details(detail: dict[str, object]) -> None:
    _same_as_old(AuditEvent("verify", datetime(2026, 3, 2, 9, 30, 0, 123456, tzinfo=UTC), "key-1", "dep",
                            "ref", True, ("ok", "M-14.3"), detail), 7, GENESIS)


@pytest.mark.parametrize("field", ["kind", "actor", "deployment_id", "subject_ref"])
@pytest.mark.parametrize("bad", ["\x00", "x\\u0000y"])
def test_nul_in_any_field_is_caught(field: str, bad: str) -> None:
    ev = AuditEvent(**{"kind": "verify", "at": datetime(2026, 3, 2, tzinfo=UTC), field: bad})  # type: ignore[arg-type]
    assert EncodedEvent.of(ev).has_nul()
    assert EncodedEvent.of(AuditEvent("verify", ev.at, reason_codes=("a", bad))).has_nul()
    assert not EncodedEvent.of(AuditEvent("verify", ev.at, detail={"k": "\\u0001", "l": "\\\\"})).has_nul()


def test_mixed_key_types_fail_as_before() -> None:
    ev = AuditEvent("verify", datetime(2026, 3, 2, tzinfo=UTC), detail={1: "a", "b": 2})  # type: ignore[dict-item]
    with pytest.raises(TypeError):
        normalize_event(ev)
    with pytest.raises(TypeError):
        EncodedEvent.of(ev)
