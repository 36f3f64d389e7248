"""`audit verify` hashes a stored row's own text: ``stored_body`` must be ``canonical`` byte for byte (issue 14)."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from facegate.domain.audit import AuditEvent, canonical, canonical_json, stored_body

_text = st.text(st.characters(codec="utf-8"), max_size=12)
_json = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | _text,
                     lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_text, inner, max_size=3),
                     max_leaves=8)
_events = st.builds(
    AuditEvent, kind=_text, at=st.datetimes(timezones=st.just(UTC)), actor=_text,
    deployment_id=st.none() | _text, subject_ref=st.none() | _text, allowed=st.none() | st.booleans(),
    reason_codes=st.lists(_text, max_size=3).map(tuple), detail=st.dictionaries(_text, _json, max_size=4),
)


@settings(max_examples=300, deadline=None)
@given(seq=st.integers(min_value=1, max_value=2**62), event=_events)
def test_stored_body_is_canonical(seq: int, event: AuditEvent) -> None:
    body = stored_body(seq, event.kind, event.at.isoformat(), event.actor, event.deployment_id, event.subject_ref,
                       event.allowed, canonical_json(list(event.reason_codes)), canonical_json(event.detail))
    assert body == canonical(seq, event)


def test_sqlite_booleans_are_spelled_as_json() -> None:
    e = AuditEvent("verify", datetime(2026, 3, 2, 9, tzinfo=UTC), allowed=True)
    assert stored_body(1, "verify", e.at.isoformat(), "system", None, None, 1, "[]", "{}") == canonical(1, e)
