"""Impact assessments from the example manifests and live facts: versions, sign-off, re-assessment triggers (M-9.x)."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from facegate.bootstrap import AppContext
from facegate.errors import Conflict, InvalidInput
from facegate.services import subjects
from facegate.services.workbench import assessment, figures
from facegate.testing import FixedClock
from facegate.web.console.wiring import workbench_deps
from tests.browser.console_server import HOTEL, apply, example, fixed_clock, workbench_ctx

needs_poppler = pytest.mark.usefixtures("poppler")  # skips locally without poppler-utils, fails in CI


@pytest.fixture
def clock() -> FixedClock:
    return fixed_clock("2026-03-02")


@pytest.fixture
def ctx(tmp_path: Path, clock: FixedClock, database_url: str) -> Iterator[AppContext]:
    c = workbench_ctx(tmp_path, clock, "hotel-front-desk-check-in", database_url=database_url)
    yield c
    c.close()


def _pdf_text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "x.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


@needs_poppler
def test_hotel_pia_renders_in_both_languages_as_html_and_pdf(ctx: AppContext, tmp_path: Path) -> None:
    deps = workbench_deps(ctx)
    rec = assessment.generate(ctx.services, deps, HOTEL)
    assert (rec.version, rec.status, rec.reviewer) == (1, "draft", "陈静 (Data Protection Officer)")
    zh = assessment.render(deps, rec, "zh", "html")[0].decode()
    en = assessment.render(deps, rec, "en", "html")[0].decode()
    for part in ("处理目的和处理方式的合法性、正当性、必要性", "对个人权益的影响", "泄露、篡改、丢失、毁损",
                 "风险评分及理由", "审核签署", "杭州西湖云栖酒店管理有限公司", "前台人工核验身份证"):
        assert part in zh
    for part in ("Legality, legitimacy and necessity", "Risk score and reasoning", "Staff check of the ID card",
                 "DRAFT", "1:1 verification"):
        assert part in en
    pdf_zh, media = assessment.render(deps, rec, "zh", "pdf")
    assert media == "application/pdf" and pdf_zh.startswith(b"%PDF")
    text = _pdf_text(pdf_zh, tmp_path)
    assert "影响评估报告" in text and "杭州西湖云栖酒店" in text  # Chinese glyphs typeset, not boxes
    assert "impact assessment" in _pdf_text(assessment.render(deps, rec, "en", "pdf")[0], tmp_path)


def test_pia_changes_when_the_manifest_changes_and_old_versions_stay(ctx: AppContext, clock: FixedClock) -> None:
    deps = workbench_deps(ctx)
    v1 = assessment.generate(ctx.services, deps, HOTEL)
    assert assessment.generate(ctx.services, deps, HOTEL).version == 1  # nothing changed: no new version
    clock.advance(days=1)
    apply(ctx, example("hotel-front-desk-check-in", **{"retention.days": 20, "security.intrusion_detection": False}))
    v2 = assessment.generate(ctx.services, deps, HOTEL)
    assert v2.version == 2 and v2.manifest_version == 2
    assert v2.document["risk"]["score"] > v1.document["risk"]["score"]
    assert "missing_intrusion_detection" in {f["code"] for f in v2.document["risk"]["factors"]}
    assert "20天" in v2.html_zh and "30天" in v1.html_zh
    stored = assessment.get(ctx.services, deps, HOTEL, 1)
    assert stored.html_sha256 == v1.html_sha256 and assessment.is_reproducible(deps, stored)  # M-9.4


def test_live_figures_reach_the_assessment(ctx: AppContext) -> None:
    deps = workbench_deps(ctx)
    for i in range(3):
        subjects.use_alternative(ctx.services, HOTEL, "check_in", "staff-id-check", True, f"guest-{i}", actor="test")
    rec = assessment.generate(ctx.services, deps, HOTEL)
    assert "3 non-face completions" in rec.document["mitigation_effectiveness"]["en"]
    assert rec.document["facts"]["alternative_share"] == 1.0


OFFICER = assessment.Signer("陈静", "admin", "0123456789abcdef")


def test_sign_off_records_the_signer_and_supersedes_the_earlier_approval(ctx: AppContext, clock: FixedClock) -> None:
    deps = workbench_deps(ctx)
    v1 = assessment.generate(ctx.services, deps, HOTEL)
    a1 = assessment.approve(ctx.services, deps, HOTEL, 1, signer=OFFICER)
    assert a1.status == "approved" and "已批准" in a1.html_zh and "APPROVED" in a1.html_en
    # Issue 16 item 8: the signer's own name, role and key, not the manifest's approver.
    assert a1.reviewer == "陈静" and a1.document["reviewer"]["key_id"] == OFFICER.key_id
    assert a1.document["reviewer"]["proposed"] == v1.reviewer and "administrator" in a1.html_en
    assert assessment.is_reproducible(deps, a1)
    clock.advance(days=400)
    apply(ctx, example("hotel-front-desk-check-in", **{"retention.days": 14}))
    v2 = assessment.generate(ctx.services, deps, HOTEL, reviewer="王芳")
    assessment.approve(ctx.services, deps, HOTEL, v2.version, signer=OFFICER)
    old = assessment.get(ctx.services, deps, HOTEL, 1)
    assert old.status == "superseded"
    assert old.retain_until == clock.now().date().replace(year=clock.now().year + 3)  # 3 years from supersession
    assert assessment.get(ctx.services, deps, HOTEL).version == 2  # the one in force


def test_method_change_makes_it_outdated_and_blocks_after_the_grace(ctx: AppContext, clock: FixedClock) -> None:
    deps = workbench_deps(ctx)
    st = assessment.state(ctx.services, deps, HOTEL)
    assert st.outdated_since is None  # the manifest's own PIA covers version 1
    # A wording change is not a purpose or method change (M-9.5(a)).
    clock.advance(days=1)
    apply(ctx, example("hotel-front-desk-check-in", **{"retention.basis": "Shorter wording."}))
    assert assessment.state(ctx.services, deps, HOTEL).outdated_since is None
    clock.advance(days=1)
    changed_at = clock.now()
    apply(ctx, example("hotel-front-desk-check-in", **{"method.locality": "central", "storage.locality": "central"}))
    st = assessment.state(ctx.services, deps, HOTEL)
    assert st.reasons == ("purpose_or_method_changed",) and st.outdated_since == changed_at
    assert st.blocks_from == changed_at + deps.grace
    gate = assessment.assessment_gate(deps.grace)
    with ctx.services.store.transaction(readonly=True) as tx:
        hotel = tx.deployments.get(HOTEL)
        assert hotel is not None
        assert gate(tx, hotel, changed_at + deps.grace - timedelta(seconds=1)) is False
        assert gate(tx, hotel, changed_at + deps.grace) is True
        assert assessment.is_assessment_outdated(tx, "no-such-deployment", changed_at, deps.grace) is False
    # A new approved assessment for the changed method clears it.
    rec = assessment.generate(ctx.services, deps, HOTEL)
    assessment.approve(ctx.services, deps, HOTEL, rec.version, signer=OFFICER)
    assert assessment.state(ctx.services, deps, HOTEL).outdated_since is None


def test_a_superseded_version_cannot_be_signed(ctx: AppContext, clock: FixedClock) -> None:
    """Issue 16 item 8: refused on the server with a stable code, not only a hidden button."""
    deps = workbench_deps(ctx)
    assessment.generate(ctx.services, deps, HOTEL)
    clock.advance(days=1)
    apply(ctx, example("hotel-front-desk-check-in", **{"retention.days": 14}))
    v2 = assessment.generate(ctx.services, deps, HOTEL)
    assert v2.version == 2
    with pytest.raises(Conflict) as old:
        assessment.approve(ctx.services, deps, HOTEL, 1, signer=OFFICER)
    assert old.value.code == "assessment_superseded" and old.value.status == 409 and old.value.article_id == "M-9.4"
    assessment.approve(ctx.services, deps, HOTEL, 2, signer=OFFICER)
    assert assessment.get(ctx.services, deps, HOTEL, 1).status == "draft"  # kept as it was (M-9.4)


def test_major_incident_makes_it_outdated(ctx: AppContext, clock: FixedClock) -> None:
    deps = workbench_deps(ctx)
    figures.record_incident(ctx.services, deps, HOTEL, summary="Laptop lost", is_major=False)
    assert assessment.state(ctx.services, deps, HOTEL).outdated_since is None
    figures.record_incident(ctx.services, deps, HOTEL, summary="Template database copied", is_major=True)
    st = assessment.state(ctx.services, deps, HOTEL)
    assert st.reasons == ("major_incident",) and st.outdated_since == clock.now()
    rec = assessment.generate(ctx.services, deps, HOTEL)
    assert "major_incident" in {f["code"] for f in rec.document["risk"]["factors"]}
    assert "FGR-09-01" in rec.document["mitigation_effectiveness"]["en"]  # the runtime rule fired (M-9.5)


def test_deployment_without_manifest_cannot_be_assessed(ctx: AppContext) -> None:
    from tests.conftest import install_deployment

    install_deployment(ctx)
    with pytest.raises(InvalidInput) as caught:
        assessment.generate(ctx.services, workbench_deps(ctx), "hotel-frontdesk")
    assert caught.value.code == "manifest_missing"


def test_the_workbench_store_on_both_databases(tmp_path: Path, database_url: str) -> None:
    """Every workbench table and query on SQLite and PostgreSQL (same migrations, same suite)."""
    from datetime import date

    from facegate.services.workbench import filing
    from tests.browser.console_server import HOTEL_PROCESSOR, store_people

    clock = fixed_clock("2025-09-26")
    ctx = workbench_ctx(tmp_path, clock, "hotel-front-desk-check-in", database_url=database_url)
    try:
        deps = workbench_deps(ctx)
        store_people(ctx, HOTEL_PROCESSOR, HOTEL, 20, at=clock.now())
        subjects.use_alternative(ctx.services, HOTEL, "check_in", "staff-id-check", True, "walk-in")
        rec = assessment.generate(ctx.services, deps, HOTEL)
        signed = assessment.approve(ctx.services, deps, HOTEL, rec.version, signer=OFFICER)
        assert assessment.get(ctx.services, deps, HOTEL).html_sha256 == signed.html_sha256
        figures.record_incident(ctx.services, deps, HOTEL, summary="Major", is_major=True)
        assert assessment.state(ctx.services, deps, HOTEL).reasons == ("major_incident",)
        v = filing.view(ctx.services, deps, HOTEL_PROCESSOR)
        assert v.count == 20 and v.series == ((date(2025, 9, 26), 20),)
        filing.submit(ctx.services, deps, HOTEL_PROCESSOR, "change_filing", authority="网信办",
                      submitted_on=date(2025, 9, 26))
        assert filing.view(ctx.services, deps, HOTEL_PROCESSOR).records[0].history[0]["status"] == "submitted"
        assert figures.deployment_figures(ctx.services, deps)[HOTEL].alternative_uses == 1
        assert sum(d["alternative"] for d in figures.daily_series(ctx.services, deps, HOTEL, clock.now().date())) == 1
        report, _ = figures.chain_state(ctx.services, deps)
        assert report.ok and report.checked >= 4
        assert figures.security_events(ctx.services, deps) == []
        assert figures.person_requests(ctx.services, deps, clock.now().date()) == []
    finally:
        ctx.close()
