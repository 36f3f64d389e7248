"""Rate limits and intrusion detection: what looks like an attack, and what is locked in answer (M-14.5)."""

from __future__ import annotations

import functools
import ipaddress
from dataclasses import dataclass, field
from datetime import datetime

from facegate.domain.audit import AuditEvent
from facegate.domain.clock import Clock
from facegate.domain.counters_port import Counters
from facegate.errors import RateLimited


@dataclass(frozen=True)
class Limit:
    count: int
    window_s: int


@dataclass(frozen=True)
class IntrusionPolicy:
    """Defaults sized for doors and kiosks: far above honest traffic, far below a scripted attack."""

    per_key: Limit = Limit(300, 60)
    per_client: Limit = Limit(600, 60)
    per_subject: Limit = Limit(30, 60)  # attempts against one person, from anywhere
    verify_failures: Limit = Limit(5, 600)  # then the subject's face path locks; alternatives stay open (M-10.1)
    # Proportional locks (issue 11 item 9): a first lock is short, since honest people fail in bad light too;
    # each further lock within a day lasts longer, so a persistent impostor gets ~30 tries a day where a
    # flat 15-minute lock allowed ~480. Staff can lift a lock with a reason (services.locks).
    subject_lock_steps_s: tuple[int, ...] = (300, 900, 3600, 14_400)
    subject_lock_memory_s: int = 86_400
    identify_window_s: int = 600
    identify_min_probes: int = 30  # below this a miss ratio says nothing
    identify_miss_ratio: float = 0.8  # mostly misses: someone is walking the gallery
    identify_max: int = 600  # identifications per key per window, hit or miss
    key_throttle_s: int = 900
    read_rows: Limit = Limit(50_000, 3600)  # processing-record rows read per key
    exports: Limit = Limit(5, 86_400)
    revoked_uses: Limit = Limit(3, 3600)  # uses of revoked keys per client, then the client is blocked
    auth_failures: Limit = Limit(20, 600)  # bad or unknown keys per client, then the client is blocked
    # The first block of an address in a day; each further one lasts 4 times longer, at most a day
    # (issue 11 item 9: one guesser behind a shared NAT should not close the door for an hour at once).
    client_block_s: int = 900


@dataclass(frozen=True)
class SecurityEvent:
    """One detection, for the processing record and the security events table (M-14.2, M-14.5)."""

    # rate_limited, subject_locked, gallery_enumeration, bulk_read, bulk_export, revoked_key_used, client_blocked
    kind: str
    severity: str  # low, medium, high
    key_id: str | None
    client: str | None
    subject_ref: str | None
    at: datetime
    detail: dict[str, object] = field(default_factory=dict)

    def as_audit_event(self, deployment_id: str | None = None) -> AuditEvent:
        return AuditEvent(
            kind="security_event", at=self.at, actor=self.key_id or "system", deployment_id=deployment_id,
            subject_ref=self.subject_ref, reason_codes=(self.kind,),
            detail={"kind": self.kind, "severity": self.severity, "client": self.client, **self.detail},
        )


@dataclass(frozen=True)
class Decision:
    allowed: bool
    events: tuple[SecurityEvent, ...] = ()
    retry_after_s: int = 0
    limit: str = ""

    def raise_if_refused(self) -> None:
        if not self.allowed:
            raise RateLimited(
                "rate_limited",
                "Too many requests; try again later.",
                "请求过于频繁，请稍后再试。",
                article_id="M-14.5",
                detail={"retry_after_s": self.retry_after_s, "limit": self.limit},
            )


@functools.lru_cache(maxsize=4096)  # parsed up to three times per request (issue 14); bounded, pure
def client_bucket(client: str) -> str:
    """One IPv6 host owns a whole /64, so limits apply per /64, not per address."""
    try:
        addr = ipaddress.ip_address(client)
    except ValueError:
        return client
    if isinstance(addr, ipaddress.IPv6Address):
        if addr.ipv4_mapped is not None:
            return str(addr.ipv4_mapped)
        return str(ipaddress.ip_network(f"{addr}/64", strict=False))
    return str(addr)


class IntrusionDefence:
    """Counts what callers do and locks what looks like an attack; returns what it saw."""

    def __init__(self, counters: Counters, policy: IntrusionPolicy, clock: Clock) -> None:
        self.counters = counters
        self.policy = policy
        self.clock = clock

    def _event(self, kind: str, severity: str, key_id: str | None, client: str | None,
               subject_ref: str | None = None, **detail: object) -> SecurityEvent:
        return SecurityEvent(kind, severity, key_id, client, subject_ref, self.clock.now(), dict(detail))

    def _over(self, name: str, n: int, limit: Limit, key_id: str | None, client: str,
              subject_ref: str | None = None) -> tuple[bool, tuple[SecurityEvent, ...]]:
        """Is count ``n`` on axis ``name`` over ``limit``; and the event to record if it just crossed."""
        if n <= limit.count:
            return False, ()
        # One event when the limit is first crossed, not one per refused request: keeps the chain readable.
        first = n == limit.count + 1
        ev = self._event("rate_limited", "low", key_id, client, subject_ref, limit=name, count=n)
        return True, (ev,) if first else ()

    # --- before the work ----------------------------------------------------------------------

    def admit(self, *, key_id: str | None, client: str, subject_ref: str | None = None,
              operation: str | None = None) -> Decision:
        """Per-client, per-key and per-subject request limits, and any lock that applies.

        Call it once per request: every call counts the request against the client's limit.
        """
        p, cb = self.policy, client_bucket(client)
        if self.counters.is_locked(f"client:{cb}"):
            return Decision(False, (), p.client_block_s, "client_blocked")
        if operation == "identify" and key_id and self.counters.is_locked(f"identify:{key_id}"):
            return Decision(False, (), p.key_throttle_s, "identify_throttled")
        checks = [("client", cb, p.per_client)]
        if key_id:
            checks.append(("key", key_id, p.per_key))
        if subject_ref:
            checks.append(("subject", subject_ref, p.per_subject))
        events: list[SecurityEvent] = []
        refused: tuple[str, Limit] | None = None
        # Count on every axis, even once one is over; in one go (one round trip when the counters are shared).
        counts = self.counters.hit_many([(f"rate:{name}:{key}", limit.window_s) for name, key, limit in checks])
        for (name, _, limit), n in zip(checks, counts):
            over, evs = self._over(name, n, limit, key_id, cb, subject_ref)
            events.extend(evs)
            if over and refused is None:
                refused = (name, limit)
        if refused is not None:
            return Decision(False, tuple(events), refused[1].window_s, refused[0])
        return Decision(True, tuple(events))

    def admit_read(self, *, key_id: str, client: str, rows: int, is_export: bool = False) -> Decision:
        """Bulk reads and exports of the record beyond the usual pattern are refused and flagged."""
        p, cb = self.policy, client_bucket(client)
        if is_export:
            n = self.counters.hit(f"exports:{key_id}", p.exports.window_s)
            if n > p.exports.count:
                first = n == p.exports.count + 1
                evs = (self._event("bulk_export", "high", key_id, cb, None, count=n),) if first else ()
                return Decision(False, evs, p.exports.window_s, "exports")
        total = self.counters.hit(f"rows:{key_id}", p.read_rows.window_s, max(rows, 0))
        if total > p.read_rows.count:
            crossed = total - rows <= p.read_rows.count
            evs = (self._event("bulk_read", "medium", key_id, cb, None, rows=total),) if crossed else ()
            return Decision(False, evs, p.read_rows.window_s, "read_rows")
        return Decision(True)

    def client_block(self, client: str) -> Decision:
        """Refuses a blocked address without counting anything (``admit`` counts the request later)."""
        if self.is_client_blocked(client):
            return Decision(False, (), self.policy.client_block_s, "client_blocked")
        return Decision(True)

    def is_client_blocked(self, client: str) -> bool:
        """Checked on every path, not only /v1: a blocked address gets no console, pairing or receipts."""
        return self.counters.is_locked(f"client:{client_bucket(client)}")

    def wrong_secret(self, *, kind: str, client: str, key_id: str | None = None) -> tuple[SecurityEvent, ...]:
        """A wrong console key, pairing key or receipt code (M-14.5).

        Counted with bad API keys, so guessing on any path blocks the address on all of them.
        The first failure in a window is reported, and the block when the limit is passed.
        """
        p, cb = self.policy, client_bucket(client)
        n = self.counters.hit(f"authfail:{cb}", p.auth_failures.window_s)
        events: list[SecurityEvent] = []
        if n == 1:
            events.append(self._event("secret_rejected", "low", key_id, cb, None, path=kind))
        if n > p.auth_failures.count:
            events.extend(self._block_client(cb, key_id, cause=kind, failures=n))
        return tuple(events)

    def _block_client(self, cb: str, key_id: str | None, **detail: object) -> tuple[SecurityEvent, ...]:
        """Block an address, longer each time within a day; () if it is blocked already."""
        p = self.policy
        level = self.counters.get(f"block_level:{cb}", p.subject_lock_memory_s)
        block_s = min(p.client_block_s * 4 ** level, 86_400)
        if not self.counters.set_lock(f"client:{cb}", block_s):
            return ()
        self.counters.hit(f"block_level:{cb}", p.subject_lock_memory_s)
        return (self._event("client_blocked", "high", key_id, cb, None, block_s=block_s, level=level + 1,
                            **detail),)

    def unblock_client(self, client: str) -> None:
        self.counters.clear_lock(f"client:{client_bucket(client)}")

    def is_subject_locked(self, subject_ref: str) -> bool:
        """Feeds ``GateFacts.is_subject_locked``: the gate then refuses with SUBJECT_LOCKED."""
        return self.counters.is_locked(f"subject:{subject_ref}")

    def unlock_subject(self, subject_ref: str) -> None:
        self.counters.clear_lock(f"subject:{subject_ref}")

    # --- after the work -----------------------------------------------------------------------

    def record_verification(self, *, subject_ref: str, matched: bool, key_id: str | None,
                            client: str, deployment_id: str | None = None) -> tuple[SecurityEvent, ...]:
        """Repeated failed 1:1 matches against one person lock that person's face path, longer each time."""
        if matched:
            return ()
        p = self.policy
        level = self.counters.get(f"lock_level:{subject_ref}", p.subject_lock_memory_s)
        # Failures count per lock level, so a lock (or staff lifting it) starts the next count afresh.
        n = self.counters.hit(f"verify_fail:{subject_ref}:{level}", p.verify_failures.window_s)
        lock_s = p.subject_lock_steps_s[min(level, len(p.subject_lock_steps_s) - 1)]
        if n >= p.verify_failures.count and self.counters.set_lock(f"subject:{subject_ref}", lock_s):
            self.counters.hit(f"lock_level:{subject_ref}", p.subject_lock_memory_s)
            return (self._event("subject_locked", "high", key_id, client_bucket(client), subject_ref,
                                failures=n, lock_s=lock_s, level=level + 1, deployment_id=deployment_id),)
        return ()

    def record_identification(self, *, key_id: str, client: str, matched: bool) -> tuple[SecurityEvent, ...]:
        """Many 1:N probes, or mostly misses, look like someone enumerating the gallery."""
        p = self.policy
        probes = self.counters.hit(f"id_probe:{key_id}", p.identify_window_s)
        misses = (self.counters.get if matched else self.counters.hit)(f"id_miss:{key_id}", p.identify_window_s)
        ratio_alarm = probes >= p.identify_min_probes and misses >= p.identify_miss_ratio * probes
        if (ratio_alarm or probes > p.identify_max) and self.counters.set_lock(f"identify:{key_id}", p.key_throttle_s):
            return (self._event("gallery_enumeration", "high", key_id, client_bucket(client), None,
                                probes=probes, misses=misses, throttle_s=p.key_throttle_s),)
        return ()

    def revoked_key_used(self, *, key_id: str, client: str) -> tuple[SecurityEvent, ...]:
        """Every use of a revoked key is reported; repeated use blocks the client address (M-14.4)."""
        p, cb = self.policy, client_bucket(client)
        events = [self._event("revoked_key_used", "high", key_id, cb)]
        n = self.counters.hit(f"revoked:{cb}", p.revoked_uses.window_s)
        if n >= p.revoked_uses.count:
            events.extend(self._block_client(cb, key_id, cause="revoked_key", uses=n))
        return tuple(events)

    def auth_failed(self, *, key_id: str | None, client: str) -> tuple[SecurityEvent, ...]:
        """Malformed, unknown or wrong keys: guessing blocks the client once it passes the limit."""
        p, cb = self.policy, client_bucket(client)
        n = self.counters.hit(f"authfail:{cb}", p.auth_failures.window_s)
        if n > p.auth_failures.count:
            return self._block_client(cb, key_id, cause="auth_failures", failures=n)
        return ()
