"""Rate limits, subject locks, enumeration and bulk-read detection on in-memory counters (M-14.5)."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from facegate.adapters.counters import MemoryCounters
from facegate.domain import reasons as R
from facegate.domain.audit import GENESIS, link
from facegate.domain.counters_port import Counters, sliding_count
from facegate.domain.gate import GateFacts, decide
from facegate.domain.intrusion import IntrusionDefence, IntrusionPolicy, Limit, client_bucket
from facegate.domain.model import Alternative, Deployment, DeploymentStatus, Mode, Operation, StorageLocality, Subject
from facegate.errors import RateLimited

POLICY = IntrusionPolicy(
    per_key=Limit(3, 60), per_client=Limit(5, 60), per_subject=Limit(4, 60),
    verify_failures=Limit(5, 600), subject_lock_steps_s=(300, 900, 3600),
    identify_window_s=600, identify_min_probes=10, identify_miss_ratio=0.8, identify_max=20, key_throttle_s=900,
    read_rows=Limit(1000, 3600), exports=Limit(2, 86_400), revoked_uses=Limit(3, 3600),
    auth_failures=Limit(4, 600), client_block_s=3600,
)


@pytest.fixture
def defence(clock) -> IntrusionDefence:  # type: ignore[no-untyped-def]
    return IntrusionDefence(MemoryCounters(clock), POLICY, clock)


def test_memory_counters_satisfy_the_port(clock) -> None:  # type: ignore[no-untyped-def]
    assert isinstance(MemoryCounters(clock), Counters)


def test_per_key_limit_refuses_and_reports_once(defence: IntrusionDefence, clock) -> None:  # type: ignore[no-untyped-def]
    for i in range(3):
        assert defence.admit(key_id="k1", client=f"10.0.0.{i}").allowed
    d = defence.admit(key_id="k1", client="10.0.0.9")
    assert (d.allowed, d.limit, d.retry_after_s) == (False, "key", 60)
    assert [(e.kind, e.key_id, e.detail["limit"]) for e in d.events] == [("rate_limited", "k1", "key")]
    assert defence.admit(key_id="k1", client="10.0.0.9").events == ()  # no flood of events
    with pytest.raises(RateLimited) as exc:
        d.raise_if_refused()
    assert (exc.value.code, exc.value.article_id, exc.value.status) == ("rate_limited", "M-14.5", 429)
    assert exc.value.detail["retry_after_s"] == 60
    assert defence.admit(key_id="k2", client="10.0.0.9").allowed  # other keys are unaffected
    clock.advance(120)
    assert defence.admit(key_id="k1", client="10.0.0.9").allowed


def test_per_client_limit_groups_an_ipv6_slash_64(defence: IntrusionDefence) -> None:
    assert client_bucket("2001:db8:1:2:aaaa::1") == client_bucket("2001:db8:1:2:bbbb::9") == "2001:db8:1:2::/64"
    assert client_bucket("::ffff:10.1.2.3") == "10.1.2.3" and client_bucket("kiosk-7") == "kiosk-7"
    for i in range(5):
        assert defence.admit(key_id=None, client=f"2001:db8:1:2::{i + 1}").allowed
    d = defence.admit(key_id=None, client="2001:db8:1:2::ff")
    assert (d.allowed, d.limit) == (False, "client")
    assert defence.admit(key_id=None, client="2001:db8:1:3::1").allowed


def test_per_subject_limit_spans_keys_and_clients(defence: IntrusionDefence) -> None:
    for i in range(4):
        assert defence.admit(key_id=f"k{i}", client=f"10.0.{i}.1", subject_ref="ref-a").allowed
    d = defence.admit(key_id="k9", client="10.9.9.9", subject_ref="ref-a")
    assert (d.allowed, d.limit, d.events[0].subject_ref) == (False, "subject", "ref-a")


def test_repeated_failed_verifications_lock_the_face_path(defence: IntrusionDefence, clock) -> None:  # type: ignore[no-untyped-def]
    for _ in range(4):
        assert defence.record_verification(subject_ref="ref-a", matched=False, key_id="k1", client="10.0.0.1") == ()
        clock.advance(60)
    assert defence.record_verification(subject_ref="ref-a", matched=True, key_id="k1", client="10.0.0.1") == ()
    assert not defence.is_subject_locked("ref-a")
    (ev,) = defence.record_verification(subject_ref="ref-a", matched=False, key_id="k1", client="10.0.0.1")
    assert (ev.kind, ev.severity, ev.subject_ref, ev.detail["failures"], ev.at) == ("subject_locked", "high", "ref-a", 5, clock.now())
    assert defence.is_subject_locked("ref-a") and not defence.is_subject_locked("ref-b")
    # a further failure while locked does not report the lock again
    assert defence.record_verification(subject_ref="ref-a", matched=False, key_id="k1", client="10.0.0.1") == ()
    clock.advance(901)
    assert not defence.is_subject_locked("ref-a")


def test_locks_are_proportional_short_first_then_longer_within_a_day(defence: IntrusionDefence, clock) -> None:  # type: ignore[no-untyped-def]
    """Issue 11 item 9: a first lock is short (honest people fail too); repeated ones escalate, then fade."""
    steps = []
    for _ in range(4):
        events: tuple = ()  # type: ignore[type-arg]
        for _ in range(5):
            events += defence.record_verification(subject_ref="ref-a", matched=False, key_id=None, client="c",
                                                  deployment_id="door")
        (ev,) = events
        steps.append((ev.detail["level"], ev.detail["lock_s"], ev.detail["deployment_id"]))
        assert defence.is_subject_locked("ref-a")
        clock.advance(ev.detail["lock_s"] + 1)
        assert not defence.is_subject_locked("ref-a")
    assert steps == [(1, 300, "door"), (2, 900, "door"), (3, 3600, "door"), (4, 3600, "door")]
    clock.advance(2 * 86_400)  # a day without locks: the next one is short again
    events = ()
    for _ in range(5):
        events += defence.record_verification(subject_ref="ref-a", matched=False, key_id=None, client="c")
    assert [e.detail["lock_s"] for e in events] == [300]


def test_the_gate_refuses_a_locked_subject_but_keeps_alternatives(defence: IntrusionDefence, clock) -> None:  # type: ignore[no-untyped-def]
    for _ in range(5):
        defence.record_verification(subject_ref="ref-a", matched=False, key_id=None, client="kiosk-1")
    dep = Deployment("door", "p1", "Door", ("access",), Mode.VERIFY, (Alternative("card", "Key card", "门卡"),),
                     StorageLocality.ON_DEVICE, 30, DeploymentStatus.ACTIVE)
    facts = GateFacts(Operation.VERIFY, dep, "access", clock.now(), subject=Subject("s1", "p1", "ext"),
                      is_subject_locked=defence.is_subject_locked("ref-a"))
    decision = decide(facts)
    assert not decision.allowed and decision.reasons == (R.SUBJECT_LOCKED,) and decision.alternatives
    defence.unlock_subject("ref-a")
    assert not defence.is_subject_locked("ref-a")


def test_failures_spread_over_more_than_two_windows_do_not_lock(defence: IntrusionDefence, clock) -> None:  # type: ignore[no-untyped-def]
    for _ in range(8):
        defence.record_verification(subject_ref="ref-a", matched=False, key_id=None, client="c")
        clock.advance(300)  # one failure every 5 minutes: at most 2 in any 10-minute window... plus carry-over
    assert not defence.is_subject_locked("ref-a")


def test_identify_probes_that_mostly_miss_throttle_the_key(defence: IntrusionDefence) -> None:
    events = []
    for _ in range(10):
        events += defence.record_identification(key_id="k1", client="10.0.0.1", matched=False)
    assert [e.kind for e in events] == ["gallery_enumeration"]
    assert events[0].detail["probes"] == 10 and events[0].detail["misses"] == 10
    d = defence.admit(key_id="k1", client="10.0.0.1", operation="identify")
    assert (d.allowed, d.limit) == (False, "identify_throttled")
    assert defence.admit(key_id="k1", client="10.0.0.1", operation="verify").allowed  # only 1:N is throttled


def test_identify_hits_are_normal_until_the_volume_is_not(defence: IntrusionDefence) -> None:
    events = []
    for i in range(20):
        events += defence.record_identification(key_id="k1", client="10.0.0.1", matched=i % 4 != 0)
    assert events == []
    (ev,) = defence.record_identification(key_id="k1", client="10.0.0.1", matched=True)
    assert ev.kind == "gallery_enumeration" and ev.detail["probes"] == 21


def test_bulk_reads_and_exports_out_of_pattern(defence: IntrusionDefence) -> None:
    assert defence.admit_read(key_id="aud", client="10.0.0.1", rows=600).allowed
    d = defence.admit_read(key_id="aud", client="10.0.0.1", rows=600)
    assert (d.allowed, d.limit, [e.kind for e in d.events]) == (False, "read_rows", ["bulk_read"])
    assert defence.admit_read(key_id="aud", client="10.0.0.1", rows=10).events == ()
    assert defence.admit_read(key_id="aud2", client="10.0.0.1", rows=0, is_export=True).allowed
    assert defence.admit_read(key_id="aud2", client="10.0.0.1", rows=0, is_export=True).allowed
    d = defence.admit_read(key_id="aud2", client="10.0.0.1", rows=0, is_export=True)
    assert (d.allowed, d.limit, d.events[0].kind, d.events[0].severity) == (False, "exports", "bulk_export", "high")


def test_revoked_key_use_is_reported_and_repeated_use_blocks_the_client(defence: IntrusionDefence) -> None:
    kinds = [[e.kind for e in defence.revoked_key_used(key_id="old", client="10.0.0.7")] for _ in range(3)]
    assert kinds == [["revoked_key_used"], ["revoked_key_used"], ["revoked_key_used", "client_blocked"]]
    d = defence.admit(key_id="fresh", client="10.0.0.7")
    assert (d.allowed, d.limit, d.retry_after_s) == (False, "client_blocked", 3600)
    assert defence.admit(key_id="fresh", client="10.0.0.8").allowed


def test_guessing_keys_blocks_the_client(defence: IntrusionDefence) -> None:
    assert all(defence.auth_failed(key_id=None, client="10.0.0.5") == () for _ in range(4))
    (ev,) = defence.auth_failed(key_id="0123456789abcdef", client="10.0.0.5")
    assert (ev.kind, ev.detail["cause"]) == ("client_blocked", "auth_failures")
    assert not defence.admit(key_id=None, client="10.0.0.5").allowed


def test_security_events_chain_as_audit_events(defence: IntrusionDefence) -> None:
    (ev, _) = defence.revoked_key_used(key_id="old", client="10.0.0.7") + (None,)
    assert ev is not None
    audit = ev.as_audit_event(deployment_id="door")
    assert (audit.kind, audit.actor, audit.reason_codes, audit.detail["severity"]) == ("security_event", "old", ("revoked_key_used",), "high")
    assert len(link(GENESIS, 1, audit, lambda b: b[:32].ljust(32, b"\0"))) == 64


def test_sliding_count_closes_the_boundary_gap() -> None:
    assert sliding_count(0, 4, 600.0, 600) == 4  # window just turned: the last window still counts fully
    assert sliding_count(4, 4, 601.0, 600) == 8
    assert sliding_count(1, 4, 900.0, 600) == 3
    assert sliding_count(1, 4, 1199.0, 600) == 2  # rounded up: errs towards counting
    assert sliding_count(2, 0, 1199.0, 600) == 2


def test_memory_counters_are_thread_safe_and_expire(clock) -> None:  # type: ignore[no-untyped-def]
    c = MemoryCounters(clock)
    threads = [threading.Thread(target=lambda: [c.hit("x", 60) for _ in range(1000)]) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert c.get("x", 60) == 8000
    assert c.set_lock("l", 10) and not c.set_lock("l", 10) and c.is_locked("l")
    clock.advance(timedelta(seconds=121).total_seconds())
    assert c.get("x", 60) == 0 and not c.is_locked("l") and c.set_lock("l", 10)
    c.clear_lock("l")
    assert not c.is_locked("l")
    for i in range(3000):  # old windows are pruned as time moves on
        clock.advance(60)
        c.hit(f"k{i % 3}", 60)
    assert "counters=" in repr(c) and int(repr(c).split("counters=")[1].split(",")[0]) < 1100
