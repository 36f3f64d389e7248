"""The unit of work's repositories hand out typed records, on SQLite and PostgreSQL alike (issue 17 item 2)."""

from __future__ import annotations

from datetime import date, timedelta

from facegate.bootstrap import AppContext
from facegate.domain.intrusion import SecurityEvent
from facegate.ports import DeploymentVersion, UnitOfWork
from facegate.ports.person import PersonRequest
from facegate.ports.workbench import Incident, SecurityDetection
from facegate.testing import FixedClock
from tests.conftest import install_deployment


def test_deployment_versions_are_typed_records(fake_ctx: AppContext) -> None:
    d = install_deployment(fake_ctx)
    install_deployment(fake_ctx, manifest={"changed": True})  # a new manifest makes version 2
    with fake_ctx.store.transaction(readonly=True) as tx:
        uow: UnitOfWork = tx  # the SQL unit of work satisfies the port
        versions = uow.deployments.versions(d.id)
        assert [type(v) for v in versions] == [DeploymentVersion, DeploymentVersion]
        assert [v.version for v in versions] == [1, 2] and versions[0].applied_at <= versions[1].applied_at
        assert uow.deployments.get(d.id) is not None and uow.deployments.get("nobody") is None
        assert uow.deployments is uow.deployments  # made once per unit of work


def test_person_requests_round_trip(fake_ctx: AppContext, clock: FixedClock) -> None:
    install_deployment(fake_ctx)
    now = clock.now()
    req = PersonRequest("r-1", "complaint", "open", "p-1", "hotel-frontdesk", "identity_verification", now,
                        now.date() + timedelta(days=20), receipt_hash="h" * 64, detail={"text": "申诉"})
    with fake_ctx.store.transaction() as tx:
        tx.person.add_request(req)
    with fake_ctx.store.transaction() as tx:
        assert tx.person.get_request("r-1") == req
        assert tx.person.requests_by_hash("h" * 64) == [req] and tx.person.list_requests("answered") == []
        done = PersonRequest(**{**req.__dict__, "status": "answered", "completed_at": now})
        tx.person.update_request(done)
    with fake_ctx.store.transaction(readonly=True) as tx:
        assert tx.person.list_requests() == [done] and tx.person.consent_by_receipt("h" * 64) is None


def test_workbench_keys_and_security_events(fake_ctx: AppContext, clock: FixedClock) -> None:
    now = clock.now()
    incident = Incident("i-1", "p-1", None, True, now, now, "officer", "Door camera stolen")
    with fake_ctx.store.transaction() as tx:
        tx.workbench.add_incident(incident)
        assert tx.workbench.put_people_count("p-1", date(2025, 9, 26), 7, now) == 7
        assert tx.workbench.put_people_count("p-1", date(2025, 9, 26), 5, now) == 7  # the day's highest stays
        tx.security.add(SecurityEvent("subject_locked", "high", "k-1", "10.0.0.1", "ref", now, {"deployment_id": "d"}))
    with fake_ctx.store.transaction(readonly=True) as tx:
        assert tx.workbench.list_incidents("p-1") == [incident]
        assert tx.workbench.people_counts("p-1") == [(date(2025, 9, 26), 7)]
        [detection] = tx.workbench.security_detections()
        assert isinstance(detection, SecurityDetection) and detection.deployment_id == "d"
        assert [e.kind for e in tx.security.lock_events(now - timedelta(minutes=1), "ref")] == ["subject_locked"]
        assert tx.subject_keys.get("s-1") is None and tx.api_keys.get("k-1") is None
