"""A major incident puts the impact assessment out of date; after the grace period face processing is refused (M-9.5)."""

from __future__ import annotations

from pathlib import Path

from facegate.services.consent import ConsentRequest, give_consent
from facegate.services.deployments import get_deployment
from facegate.services.faces import enroll, verify
from facegate.services.workbench import figures
from facegate.web.console.wiring import workbench_deps
from tests.browser.console_server import HOTEL, fixed_clock, workbench_ctx


def test_major_incident_refuses_new_enrollments_after_the_grace_period(tmp_path: Path, database_url: str) -> None:
    clock = fixed_clock("2026-03-02")
    ctx = workbench_ctx(tmp_path, clock, "hotel-front-desk-check-in", database_url=database_url)
    try:
        svc = ctx.services
        notice = get_deployment(svc, HOTEL).notice_version
        for ref in ("g1", "g2", "g3"):
            give_consent(svc, ConsentRequest(HOTEL, ref, "check_in", notice, age_attested_by="desk"))
        assert enroll(svc, HOTEL, "g1", "check_in", b"face:g1:1").decision.allowed

        figures.record_incident(svc, workbench_deps(ctx), HOTEL, summary="Front-desk terminal stolen", is_major=True)
        clock.advance(days=29)
        assert enroll(svc, HOTEL, "g2", "check_in", b"face:g2:1").decision.allowed  # within the 30-day grace
        clock.advance(days=2)
        refused = enroll(svc, HOTEL, "g3", "check_in", b"face:g3:1").decision
        assert refused.codes == ("assessment_outdated",) and refused.reasons[0].article_id == "M-9.5"
        # Art. 9 para 2 (M-9.5): past the grace, verification stops too, not only new enrolments.
        assert verify(svc, HOTEL, "g2", "check_in", b"face:g2:2").decision.codes == ("assessment_outdated",)
    finally:
        ctx.close()
