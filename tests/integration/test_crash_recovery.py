"""kill -9 in the middle of a burst of enrolls: the processing record must still prove itself (M-9.3, M-14.2).

The real service runs under uvicorn in a subprocess (tests/integration/crash_app.py). We give
consent for a set of guests, fire concurrent enrolls (plus a few withdrawals and deletions)
from threads, SIGKILL the server mid-burst, then check on the data it left behind:

- the chain verifies from genesis, against its signed checkpoints, and ends at the head row;
- every template row has the ``enroll`` record naming it;
- every enroll record whose template is gone is explained by a later delete, withdrawal or purge;
- every enroll the client saw acknowledged (201) survived the kill.

Then the server restarts on the same data and must keep appending to the same chain.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from facegate.bootstrap import build_context
from facegate.settings import Settings
from facegate.testing import FakeFaceEngine
from tests.integration.crash_burst import Scenario, Server, ServerErrors, request_body, fire, scenario_images, prepare
from tests.integration.crash_record import read_store, unexplained, verify_stored


@pytest.fixture
def data_dir(tmp_path: Path) -> Iterator[Path]:
    yield tmp_path / "data"


SCENARIOS = {
    "fake": Scenario("fake", guests=60, enrolls_per_guest=3, workers=16),
    "real": Scenario("real", guests=18, enrolls_per_guest=2, workers=4),
}


def run_crash(scenario: Scenario, data_dir: Path, db_url: str | None, face_images: dict[str, bytes],
              log: Path) -> None:
    settings = Settings(env="test", data_dir=data_dir, database_url=db_url, examples_dir=None)
    deployment, purpose, token = prepare(settings, scenario.guests)
    headers = {"Authorization": f"Bearer {token}"}
    env = {**os.environ, "FACEGATE_ENV": "test", "FACEGATE_DATA_DIR": str(data_dir),
           "FACEGATE_BOOTSTRAP_ADMIN_KEY": "false", "FACEGATE_CRASH_FAKE_ENGINE": "1" if scenario.engine == "fake" else "0"}
    env.pop("FACEGATE_DATABASE_URL", None)
    if db_url:
        env["FACEGATE_DATABASE_URL"] = db_url
    images = scenario_images(scenario, face_images)
    server = Server(env, log)
    try:
        server.start()
        total = scenario.guests * scenario.enrolls_per_guest
        burst = fire(server, scenario, images, deployment, purpose, headers, kill_after=total // 3)
        answered = sum(n for k, n in burst.statuses.items() if "connection error" not in k)
        assert burst.acknowledged, f"no enroll succeeded before the kill: {burst.statuses}"
        assert burst.errors > 0, f"the kill came after the burst ended, so it proves nothing: {burst.statuses}"

        stored = read_store(settings.db_url)
        verify_stored(stored, settings.keys_dir)
        orphans, missing = unexplained(stored)
        assert not orphans, f"templates with no enroll record: {orphans}"
        assert not missing, f"enrolled templates gone with no delete/withdraw/purge record: {missing}"
        enrolled = {str(e.event.detail.get("template")) for e in stored.events if e.event.kind == "enroll"}
        lost = sorted(set(burst.acknowledged) - enrolled)
        assert not lost, f"enrolls acknowledged with 201 but lost in the crash: {lost}"

        # Restart on the same data: the chain continues from the surviving head.
        server.start()
        g = scenario.guests - 1
        with httpx.Client(base_url=server.url, headers=headers, timeout=60.0) as client:
            r = client.post("/v1/consents", json={"deployment_id": deployment, "subject_ref": "after-crash",
                                                  "purpose": purpose, "age_attested_by": "desk",
                                                  "notice_version": client.get(f"/v1/deployments/{deployment}")
                                                  .json()["notice_version"]})
            assert r.status_code == 201, r.text
            r = client.post(f"/v1/deployments/{deployment}/enroll",
                            params={"purpose": purpose, "subject_ref": "after-crash"},
                            content=request_body(scenario, images, g, 9), headers={"content-type": "image/jpeg"})
            assert r.status_code == 201, r.text
            after_id = r.json()["template_id"]
        server.stop()
        again = read_store(settings.db_url)
        report = verify_stored(again, settings.keys_dir)
        assert report.last_seq > stored.head[0] and again.events[: len(stored.events)] == stored.events
        assert after_id in again.templates and unexplained(again) == ([], [])
        print(f"\n[{scenario.engine} {'pg' if db_url else 'sqlite'}] answered before kill: {answered}, "
              f"connection errors: {burst.errors}, acknowledged enrolls: {len(burst.acknowledged)}, "
              f"records: {len(stored.events)} -> {len(again.events)}, templates: {len(stored.templates)}, "
              f"checkpoints: {len(again.checkpoints)}; {dict(sorted(burst.statuses.items()))}")
        # Last, so that a 5xx does not hide what the crash did to the record.
        failed = {k: n for k, n in burst.statuses.items() if k.rsplit(" ", 1)[-1].startswith("5")}
        if failed:
            raise ServerErrors(f"5xx during the burst (see {log}): {failed}")
    finally:
        server.stop()


@pytest.mark.parametrize("engine", ["fake", pytest.param("real", marks=pytest.mark.slow)])
def test_kill9_mid_burst_sqlite(engine: str, data_dir: Path, tmp_path: Path,
                                request: pytest.FixtureRequest) -> None:
    face_images = request.getfixturevalue("face_images") if engine == "real" else {}
    run_crash(SCENARIOS[engine], data_dir, None, face_images, tmp_path / "server.log")


@pytest.mark.postgres
@pytest.mark.parametrize("engine", ["fake", pytest.param("real", marks=pytest.mark.slow)])
def test_kill9_mid_burst_postgres(engine: str, data_dir: Path, pg_url: str, tmp_path: Path,
                                  request: pytest.FixtureRequest) -> None:
    face_images = request.getfixturevalue("face_images") if engine == "real" else {}
    run_crash(SCENARIOS[engine], data_dir, pg_url, face_images, tmp_path / "server.log")


def test_replaced_templates_are_explained(tmp_path: Path) -> None:
    """Without any crash: the sixth enroll of one person silently removes the first template."""
    from facegate.services.faces import enroll

    settings = Settings(env="test", data_dir=tmp_path / "data", examples_dir=None)
    deployment, purpose, _ = prepare(settings, 1)
    ctx = build_context(settings, engine=FakeFaceEngine())
    try:
        for shot in range(ctx.services.max_templates_per_subject + 1):
            assert enroll(ctx.services, deployment, "guest-0", purpose, f"face:guest-0:{shot}".encode()).template_id
    finally:
        ctx.close()
    stored = read_store(settings.db_url)
    verify_stored(stored, settings.keys_dir)
    assert unexplained(stored) == ([], [])
