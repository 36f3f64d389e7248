"""Intrusion defence wired to the record: detections become security events in the chain (M-14.5)."""

from __future__ import annotations

from collections.abc import Iterable

from facegate.domain.intrusion import IntrusionDefence, SecurityEvent
from facegate.ports import Store


def record_security_events(store: Store, events: Iterable[SecurityEvent], deployment_id: str | None = None) -> None:
    """Each detection goes to the security events table and into the processing record."""
    events = tuple(events)
    if not events:
        return
    with store.transaction() as tx:
        for ev in events:
            tx.add_security_event(ev)
            tx.append_event(ev.as_audit_event(deployment_id))


class DefenceGuard:
    """The services' Guard on top of the domain's IntrusionDefence and the store."""

    def __init__(self, defence: IntrusionDefence, store: Store) -> None:
        self.defence = defence
        self._store = store

    def __repr__(self) -> str:
        return "DefenceGuard()"

    def is_subject_locked(self, subject_key: str) -> bool:
        return self.defence.is_subject_locked(subject_key)

    def verify_result(self, subject_key: str, matched: bool, actor: str, client: str | None) -> None:
        events = self.defence.record_verification(subject_ref=subject_key, matched=matched, key_id=actor,
                                                  client=client or "local")
        record_security_events(self._store, events)

    def identify_result(self, matched: bool, actor: str, client: str | None) -> None:
        events = self.defence.record_identification(key_id=actor, client=client or "local", matched=matched)
        record_security_events(self._store, events)


def list_security_events(store: Store, limit: int = 200) -> list[SecurityEvent]:
    with store.transaction(readonly=True) as tx:
        return tx.list_security_events(limit)
