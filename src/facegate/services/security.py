"""Intrusion defence wired to the record: detections become security events in the chain (M-14.5)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from facegate.domain.intrusion import IntrusionDefence, SecurityEvent
from facegate.ports import Store


def record_security_events(store: Store, events: Iterable[SecurityEvent], deployment_id: str | None = None) -> None:
    """Each detection goes to the security events table and into the processing record."""
    events = tuple(events)
    if not events:
        return
    with store.transaction() as tx:
        for ev in events:
            tx.security.add(ev)
            tx.record.append(ev.as_audit_event(deployment_id))


class DefenceGuard:
    """The services' Guard on top of the domain's IntrusionDefence and the store."""

    def __init__(self, defence: IntrusionDefence, store: Store) -> None:
        self.defence = defence
        self._store = store

    def __repr__(self) -> str:
        return "DefenceGuard()"

    def is_subject_locked(self, subject_key: str) -> bool:
        if not self.defence.is_subject_locked(subject_key):
            return False
        # A lift is written to the database first: it reaches every node, and lifts made by the CLI reach a
        # server whose counters live in its own memory (issue 11 item 9).
        since = self.defence.clock.now() - timedelta(seconds=max(self.defence.policy.subject_lock_steps_s))
        with self._store.transaction(readonly=True) as tx:
            events = tx.security.lock_events(since, subject_key)
        if events and events[-1].kind == "subject_lock_lifted":
            self.defence.unlock_subject(subject_key)
            return False
        return True

    def verify_result(self, subject_key: str, matched: bool, actor: str, client: str | None,
                      deployment_id: str | None = None) -> None:
        events = self.defence.record_verification(subject_ref=subject_key, matched=matched, key_id=actor,
                                                  client=client or "local", deployment_id=deployment_id)
        record_security_events(self._store, events, deployment_id)

    def lift(self, subject_key: str) -> None:
        self.defence.unlock_subject(subject_key)

    def unblock_client(self, client: str) -> None:
        self.defence.unblock_client(client)

    def identify_result(self, matched: bool, actor: str, client: str | None) -> None:
        events = self.defence.record_identification(key_id=actor, client=client or "local", matched=matched)
        record_security_events(self._store, events)


def list_security_events(store: Store, limit: int = 200) -> list[SecurityEvent]:
    with store.transaction(readonly=True) as tx:
        return tx.security.recent(limit)
