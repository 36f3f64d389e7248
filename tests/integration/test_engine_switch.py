"""The second engine family through the service, and a planned switch from dlib to it, on real photos.

The InsightFace models are the small synthetic ones the tests build
(tests/synthetic_onnx.py): a detector with a fixed face and a recogniser that
embeds the aligned pixels, so the same photo matches itself and nothing else
(the threshold is set to cosine similarity 0.95). dlib is the real engine.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from facegate.bootstrap import AppContext, build_context
from facegate.domain.model import Mode
from facegate.domain.scores import EngineId, distance_for_similarity
from facegate.errors import Conflict, InvalidInput
from facegate.services import calibration, engines, openset
from facegate.services.access import create_api_key
from facegate.services.consent import ConsentRequest, give_consent
from facegate.services.faces import enroll, identify, verify
from facegate.web.app import create_app
from tests import synthetic_onnx as synth
from tests.conftest import install_deployment, make_settings

P = "identity_verification"
DLIB = EngineId("dlib_resnet_v1", "1")


@pytest.fixture(scope="module")
def models(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    return synth.write_models(tmp_path_factory.mktemp("models"))


def _ctx(tmp_path: Path, database_url: str, clock, models: dict[str, str], **kw: object) -> AppContext:  # type: ignore[no-untyped-def]
    return build_context(make_settings(tmp_path, database_url, engine="insightface", match_threshold=0.95,
                                       **models, **kw), clock=clock)


def _enrol(ctx: AppContext, d, ref: str, image: bytes) -> str:  # type: ignore[no-untyped-def]
    give_consent(ctx.services, ConsentRequest(d.id, ref, P, d.notice_version, age_attested_by="desk"))
    r = enroll(ctx.services, d.id, ref, P, image)
    assert r.decision.allowed and r.template_id
    return r.template_id


def _events(ctx: AppContext, kind: str) -> list[dict[str, object]]:
    with ctx.store.transaction(readonly=True) as tx:
        return [c.event.detail for c in tx.record.events() if c.event.kind == kind]


def _counts(ctx: AppContext, d_id: str) -> dict[str, int]:
    return {f"{r.engine}:{r.engine_version}": r.templates for r in engines.progress(ctx.services, d_id)}


@pytest.fixture
def arc(tmp_path: Path, clock, models: dict[str, str]) -> Iterator[AppContext]:  # type: ignore[no-untyped-def]
    ctx = _ctx(tmp_path, f"sqlite:///{tmp_path / 'fg.db'}", clock, models)
    yield ctx
    ctx.close()


def test_enrol_verify_identify_through_the_service_and_the_api(arc: AppContext, models: dict[str, str],
                                                               face_images: dict[str, bytes]) -> None:
    eid = engines.engine_id(arc.services.engine)
    assert eid == EngineId("insightface_arcface", models["insightface_recognizer_sha256"][:16])
    d = install_deployment(arc, mode=Mode.IDENTIFY)
    _enrol(arc, d, "guest-1", face_images["obama.jpg"])
    _enrol(arc, d, "guest-2", face_images["biden.jpg"])
    with arc.store.transaction(readonly=True) as tx:
        [t] = [t for t in tx.templates.gallery(d.id, P) if t.subject_external_ref == "guest-1"]
    assert (t.record.engine, t.record.engine_version) == (eid.name, eid.version)
    assert _events(arc, "enroll")[-1]["engine_version"] == eid.version

    same = verify(arc.services, d.id, "guest-1", P, face_images["obama.jpg"])
    assert same.is_match and same.threshold == pytest.approx(distance_for_similarity(0.95))
    assert same.score is not None and same.score["metric"] == "cosine" and same.score["engine"] == eid.key
    assert same.score["similarity"] == pytest.approx(1.0, abs=1e-3)
    other = verify(arc.services, d.id, "guest-1", P, face_images["biden.jpg"])
    assert not other.is_match and other.score is not None and float(other.score["similarity"]) < 0.95

    found = identify(arc.services, d.id, P, face_images["biden.jpg"])
    assert found.outcome == "identified" and [c.subject_ref for c in found.candidates] == ["guest-2"]
    assert found.open_set is not None and found.open_set.gallery_size == 2 and not found.open_set.is_calibrated
    assert identify(arc.services, d.id, P, face_images["obama2.jpg"]).outcome == "no_match"

    admin = create_api_key(arc.services, "officer", "admin", ("*",))
    with TestClient(create_app(arc), headers={"Authorization": f"Bearer {admin.token}"}) as client:
        body = client.post(f"/v1/deployments/{d.id}/verify", params={"purpose": P, "subject_ref": "guest-2"},
                           content=face_images["biden.jpg"], headers={"content-type": "image/jpeg"}).json()
        assert body["is_match"] is True and body["score"]["metric"] == "cosine"
        progress = client.get("/v1/engines").json()
    assert progress["current"] == eid.key and progress["galleries"] == [
        {"deployment_id": d.id, "purpose": P, "engine": eid.name, "engine_version": eid.version, "templates": 2,
         "is_current": True, "is_running": True}]


def test_a_planned_switch_from_dlib_to_insightface(tmp_path: Path, database_url: str, clock, real_engine,  # type: ignore[no-untyped-def]
                                                   models: dict[str, str], face_images: dict[str, bytes]) -> None:
    # 1. Everyone enrolled on dlib.
    old = build_context(make_settings(tmp_path, database_url), clock=clock, engine=real_engine)
    d = install_deployment(old, mode=Mode.IDENTIFY)
    _enrol(old, d, "alice", face_images["obama.jpg"])
    bob_template = _enrol(old, d, "bob", face_images["biden.jpg"])
    old.close()

    # 2. The switch: new enrolments on InsightFace, dlib kept for the templates it made.
    mid = _ctx(tmp_path, database_url, clock, models, legacy_engine="dlib")
    new = engines.engine_id(mid.services.engine)
    try:
        assert _counts(mid, d.id) == {DLIB.key: 2}
        v = verify(mid.services, d.id, "alice", P, face_images["obama2.jpg"])  # judged by the engine that enrolled her
        assert v.is_match and v.score is not None and v.score["engine"] == DLIB.key and v.score["metric"] == "euclidean"
        assert _events(mid, "verify")[-1]["engine"] == DLIB.name

        found = identify(mid.services, d.id, P, face_images["biden.jpg"])
        assert found.outcome == "identified" and found.candidates[0].subject_ref == "bob"
        searched: list[dict[str, object]] = _events(mid, "identify")[-1]["engines"]  # type: ignore[assignment]
        assert [(s["engine"], s["gallery_size"]) for s in searched] == [(new.key, 0), (DLIB.key, 2)]
        assert all(s["target_fpir"] == 0.005 for s in searched)  # the 1% target, shared

        # Alice enrols again: her InsightFace template replaces her dlib one.
        _enrol(mid, d, "alice", face_images["obama.jpg"])
        assert _counts(mid, d.id) == {DLIB.key: 1, new.key: 1}
        v = verify(mid.services, d.id, "alice", P, face_images["obama.jpg"])
        assert v.is_match and v.score is not None and v.score["engine"] == new.key
        # Each engine's gallery holds only its own templates: dlib's has bob alone now.
        dlib_probe = real_engine.embed(face_images["biden.jpg"]).vector
        assert [h[0] for h in mid.services.gallery.search(d.id, P, dlib_probe, 10, DLIB.key)] == [bob_template]
        found = identify(mid.services, d.id, P, face_images["obama.jpg"])
        assert found.outcome == "identified" and found.candidates[0].subject_ref == "alice"
        [plan] = openset.deployment_plans(mid.services, d.id).values()
        assert plan.target_fpir == 0.005
    finally:
        mid.close()

    # 3. dlib retired before bob came back: his template is never compared with an InsightFace probe.
    done = _ctx(tmp_path, database_url, clock, models)
    try:
        with pytest.raises(Conflict) as err:
            verify(done.services, d.id, "bob", P, face_images["biden.jpg"])
        assert err.value.code == "template_engine_mismatch" and err.value.status == 409
        assert err.value.detail == {"template_engines": [DLIB.key], "running": [new.key]}
        refused = _events(done, "verify")[-1]
        assert refused["stage"] == "engine" and "distance" not in refused
        nobody = identify(done.services, d.id, P, face_images["biden.jpg"])
        assert nobody.outcome == "no_match" and nobody.open_set is not None and nobody.open_set.gallery_size == 1
        rows = {r.engine: r for r in engines.progress(done.services)}
        assert rows[DLIB.name].templates == 1 and not rows[DLIB.name].is_running and rows[new.name].is_current
    finally:
        done.close()


def test_calibration_measures_and_adopts_for_the_insightface_engine(arc: AppContext,
                                                                   face_images: dict[str, bytes]) -> None:
    eid = engines.engine_id(arc.services.engine)
    photos = [("obama", face_images[n]) for n in ("obama.jpg", "obama2.jpg", "obama3.jpg")]
    cal, refused = calibration.measure(arc.services.engine, [*photos, ("biden", face_images["biden.jpg"])],
                                       source="test photos")
    assert (cal.engine, cal.engine_version) == (eid.name, eid.version) and refused == {}
    assert cal.genuine_pairs == 3 and cal.impostor_pairs == 3  # distances of unit vectors: all within the grid
    d = install_deployment(arc, mode=Mode.IDENTIFY)
    adopted = calibration.adopt(arc.services, d.id, cal, target_far=0.5, target_fpir=0.5)
    assert openset.verify_threshold(arc.services, adopted, eid) == adopted.verify_threshold
    with pytest.raises(InvalidInput) as err:  # another model of the same family is another engine
        calibration.adopt(arc.services, d.id, replace(cal, engine_version="f" * 16), target_far=0.5, target_fpir=0.5)
    assert err.value.code == "calibration_engine_mismatch"


def test_bulk_import_during_a_switch_replaces_the_older_engines_templates_like_enrolment(  # type: ignore[no-untyped-def]
        tmp_path: Path, database_url: str, clock, real_engine, models: dict[str, str],
        face_images: dict[str, bytes]) -> None:
    """docs/engines.md: during a switch a new template replaces the person's older engine's ones; an import too."""
    from facegate.services import bulk_import

    old = build_context(make_settings(tmp_path, database_url), clock=clock, engine=real_engine)
    d = install_deployment(old, mode=Mode.IDENTIFY)
    _enrol(old, d, "alice", face_images["obama.jpg"])
    old.close()

    mid = _ctx(tmp_path, database_url, clock, models, legacy_engine="dlib")
    new = engines.engine_id(mid.services.engine)
    row = bulk_import.ImportRow("people.csv:2", "alice", "obama.jpg", P, consent_at=clock.now(),
                                notice_version=d.notice_version, channel="front desk", age_attested_by="desk")
    try:
        assert not bulk_import.already_imported(mid.services, d.id, row)  # only dlib's template: not done yet
        out = bulk_import.import_person(mid.services, d.id, row, face_images["obama.jpg"])
        assert out.status == "imported", out
        assert _counts(mid, d.id) == {new.key: 1}  # her dlib template is gone, as an enrolment would do
        dlib_probe = real_engine.embed(face_images["obama2.jpg"]).vector
        assert mid.services.gallery.search(d.id, P, dlib_probe, 10, DLIB.key) == []
        assert _events(mid, "import")[-1]["replaced"]  # the record says which templates went
        assert bulk_import.already_imported(mid.services, d.id, row)  # a re-run skips her now
        v = verify(mid.services, d.id, "alice", P, face_images["obama.jpg"])
        assert v.is_match and v.score is not None and v.score["engine"] == new.key
    finally:
        mid.close()
