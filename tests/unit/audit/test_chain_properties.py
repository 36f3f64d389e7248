"""Property tests: every kind of tampering with the processing record is caught at the right seq (M-9.3)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from facegate.domain.audit import GENESIS, ChainedEvent
from facegate.domain.chain import ChainProblem, verify_chain

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
FIELDS = ("kind", "at", "actor", "deployment_id", "subject_ref", "allowed", "reason_codes", "detail",
          "seq", "prev_hash", "hash")


def _flip_char(s: str, pos: int, data: st.DataObject) -> str:
    pos %= max(len(s), 1)
    if not s:
        return "x"
    alphabet = "0123456789abcdef" if all(c in "0123456789abcdef" for c in s) else None
    new = data.draw(st.characters(codec="utf-8") if alphabet is None else st.sampled_from(alphabet)
                    .filter(lambda c: c != s[pos]))
    if new == s[pos]:
        new = "0" if s[pos] != "0" else "1"
    return s[:pos] + new + s[pos + 1:]


def _tamper(rec: ChainedEvent, field: str, data: st.DataObject) -> ChainedEvent:
    """Change one byte (or the smallest unit) of one stored field, as an editor of the table would."""
    pos = data.draw(st.integers(0, 200))
    ev = rec.event
    if field == "seq":
        return replace(rec, seq=rec.seq + data.draw(st.sampled_from([-1, 1, 2, 256])))
    if field in ("prev_hash", "hash"):
        return replace(rec, **{field: _flip_char(getattr(rec, field), pos, data)})
    if field == "at":
        return replace(rec, event=replace(ev, at=ev.at + timedelta(microseconds=data.draw(st.integers(1, 10**6)))))
    if field == "allowed":
        return replace(rec, event=replace(ev, allowed=data.draw(st.sampled_from([v for v in (True, False, None)
                                                                                  if v is not ev.allowed]))))
    if field == "reason_codes":
        return replace(rec, event=replace(ev, reason_codes=(_flip_char(ev.reason_codes[0], pos, data),)))
    if field == "detail":
        return replace(rec, event=replace(ev, detail={**ev.detail, "note": _flip_char(str(ev.detail["note"]), pos, data)}))
    return replace(rec, event=replace(ev, **{field: _flip_char(getattr(ev, field) or "", pos, data)}))


def _verify(kit, records, **kw):  # type: ignore[no-untyped-def]
    return verify_chain(iter(records), kit.h, verify_signature=kit.verifier, **kw)


def test_untouched_chain_verifies(kit) -> None:  # type: ignore[no-untyped-def]
    recs = kit.chain(40)
    report = _verify(kit, recs, checkpoints=[kit.checkpoint(recs[19]), kit.checkpoint(recs[-1])])
    assert report.ok and report.checked == 40 and report.last_seq == 40 and report.last_hash == recs[-1].hash
    assert report.checkpoints_checked == 2


def test_empty_chain_is_ok_without_checkpoints(kit) -> None:  # type: ignore[no-untyped-def]
    assert _verify(kit, []).ok


@SETTINGS
@given(n=st.integers(1, 25), data=st.data(), field=st.sampled_from(FIELDS))
def test_any_changed_field_is_caught_at_its_seq(kit, n: int, data: st.DataObject, field: str) -> None:  # type: ignore[no-untyped-def]
    recs = kit.chain(n)
    i = data.draw(st.integers(0, n - 1))
    tampered = _tamper(recs[i], field, data)
    recs[i] = tampered
    report = _verify(kit, recs)
    assert not report.ok
    assert report.first_broken_seq == i + 1, report
    assert report.problem is ChainProblem.EDITED


@SETTINGS
@given(n=st.integers(2, 25), data=st.data())
def test_dropped_record_is_caught(kit, n: int, data: st.DataObject) -> None:  # type: ignore[no-untyped-def]
    recs = kit.chain(n)
    i = data.draw(st.integers(0, n - 2))  # dropping the last one is truncation, below
    del recs[i]
    report = _verify(kit, recs)
    assert (report.ok, report.first_broken_seq, report.problem) == (False, i + 1, ChainProblem.DELETED)


@SETTINGS
@given(n=st.integers(2, 25), data=st.data())
def test_swapped_pair_is_caught(kit, n: int, data: st.DataObject) -> None:  # type: ignore[no-untyped-def]
    recs = kit.chain(n)
    i = data.draw(st.integers(0, n - 2))
    j = data.draw(st.integers(i + 1, n - 1))
    recs[i], recs[j] = recs[j], recs[i]
    report = _verify(kit, recs)
    assert (report.ok, report.first_broken_seq, report.problem) == (False, i + 1, ChainProblem.REORDERED)


@SETTINGS
@given(n=st.integers(1, 25), data=st.data(), before=st.booleans())
def test_inserted_forgery_is_caught(kit, n: int, data: st.DataObject, before: bool) -> None:  # type: ignore[no-untyped-def]
    """The best forgery without the key: a valid record claiming an existing seq, linked to its predecessor."""
    recs = kit.chain(n)
    i = data.draw(st.integers(0, n - 1))
    prev = recs[i - 1].hash if i else GENESIS
    forged = kit.forge(i + 1, prev)
    recs.insert(i if before else i + 1, forged)
    report = _verify(kit, recs)
    assert (report.ok, report.first_broken_seq, report.problem) == (False, i + 1, ChainProblem.INSERTED)


@SETTINGS
@given(n=st.integers(1, 25), data=st.data())
def test_inserted_unlinked_record_is_caught(kit, n: int, data: st.DataObject) -> None:  # type: ignore[no-untyped-def]
    recs = kit.chain(n)
    i = data.draw(st.integers(0, n - 1))
    recs.insert(i, kit.forge(i + 1, data.draw(st.text("0123456789abcdef", min_size=64, max_size=64))))
    report = _verify(kit, recs)
    assert not report.ok and report.first_broken_seq == i + 1


@SETTINGS
@given(n=st.integers(1, 25), data=st.data())
def test_truncation_behind_a_checkpoint_is_caught(kit, n: int, data: st.DataObject) -> None:  # type: ignore[no-untyped-def]
    recs = kit.chain(n)
    c = data.draw(st.integers(1, n))  # checkpoint at seq c
    keep = data.draw(st.integers(0, c - 1))
    report = _verify(kit, recs[:keep], checkpoints=[kit.checkpoint(recs[c - 1])])
    assert (report.ok, report.first_broken_seq, report.problem) == (False, keep + 1, ChainProblem.TRUNCATED)


@SETTINGS
@given(n=st.integers(3, 25), data=st.data())
def test_rehashed_edit_is_caught_at_the_edited_record(kit, n: int, data: st.DataObject) -> None:  # type: ignore[no-untyped-def]
    """An editor who also fixes the record's own hash breaks the next link."""
    recs = kit.chain(n)
    i = data.draw(st.integers(1, n - 2))
    recs[i] = kit.forge(i + 1, recs[i - 1].hash)
    report = _verify(kit, recs)
    assert (report.ok, report.first_broken_seq, report.problem) == (False, i + 1, ChainProblem.EDITED)


def test_rewritten_tail_contradicts_the_checkpoint(kit) -> None:  # type: ignore[no-untyped-def]
    recs = kit.chain(30)
    cps = [kit.checkpoint(recs[9]), kit.checkpoint(recs[19])]
    events = [r.event for r in recs]
    events[14] = kit.event(15, actor="intruder")
    rewritten = kit.chain(30, events=events)  # every hash recomputed: self-consistent
    report = _verify(kit, rewritten, checkpoints=cps)
    assert (report.ok, report.first_broken_seq, report.problem) == (False, 11, ChainProblem.REWRITTEN)
    assert "11..20" in report.detail


@pytest.mark.parametrize("algorithm_kit", ["kit", "sm3_kit"])
def test_both_hash_algorithms(request, algorithm_kit: str) -> None:  # type: ignore[no-untyped-def]
    k = request.getfixturevalue(algorithm_kit)
    recs = k.chain(5)
    assert _verify(k, recs, checkpoints=[k.checkpoint(recs[-1])]).ok
    other = request.getfixturevalue("sm3_kit" if algorithm_kit == "kit" else "kit")
    assert not verify_chain(recs, other.h).ok


def test_a_forged_link_right_after_a_checkpoint_blames_the_forged_record(kit) -> None:  # type: ignore[no-untyped-def]
    recs = kit.chain(10)
    recs[5] = kit.forge(6, "ab" * 32)  # seq 6 rewritten with a made-up link; seq 5 is signed
    report = _verify(kit, recs, checkpoints=[kit.checkpoint(recs[4])])
    assert (report.first_broken_seq, report.problem) == (6, ChainProblem.EDITED)
    assert _verify(kit, recs).first_broken_seq == 5  # without the checkpoint, seq 5 is the first untrusted
