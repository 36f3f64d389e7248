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
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, select

from facegate.adapters.keys.signing import CheckpointSigner, CheckpointVerifier
from facegate.adapters.sql import tables as t
from facegate.bootstrap import AppContext, build_context, record_hash_fn
from facegate.domain.audit import AuditEvent, ChainedEvent
from facegate.domain.chain import DEFAULT_POLICY, ChainReport, Checkpoint, verify_chain
from facegate.services.access import create_api_key
from facegate.services.consent import ConsentRequest, give_consent
from facegate.services.deployments import apply_manifest_text
from facegate.settings import Settings
from facegate.testing import FakeFaceEngine

ROOT = Path(__file__).resolve().parents[2]
HOTEL = ROOT / "examples" / "hotel-front-desk-check-in.yaml"
REMOVING = {"delete", "consent_withdrawn", "purge"}


# --- reading what the crash left -----------------------------------------------------------

@dataclass
class Stored:
    events: list[ChainedEvent]
    checkpoints: list[Checkpoint]
    head: tuple[int, str]
    templates: dict[str, str]  # template id -> subject id


def read_store(db_url: str) -> Stored:
    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            events = [
                ChainedEvent(r.seq, AuditEvent(
                    kind=r.kind, at=r.at, actor=r.actor, deployment_id=r.deployment_id, subject_ref=r.subject_ref,
                    allowed=r.allowed, reason_codes=tuple(r.reason_codes), detail=r.detail,
                ), r.prev_hash, r.hash)
                for r in conn.execute(select(t.audit_events).order_by(t.audit_events.c.seq))
            ]
            cps = [Checkpoint(r.seq, r.hash, r.at, r.signature, r.key_id, r.prev_seq, r.prev_hash)
                   for r in conn.execute(select(t.checkpoints).order_by(t.checkpoints.c.seq))]
            head = conn.execute(select(t.audit_head.c.seq, t.audit_head.c.hash).where(t.audit_head.c.id == 1)).one()
            templates = {r.id: r.subject_id for r in conn.execute(select(t.templates.c.id, t.templates.c.subject_id))}
    finally:
        engine.dispose()
    return Stored(events, cps, (head.seq, head.hash), templates)


def signature_check(keys_dir: Path) -> CheckpointVerifier:
    """The checkpoint verifier over this node's public key."""
    return CheckpointVerifier([CheckpointSigner(keys_dir).public_key_pem()])


def verify_stored(s: Stored, keys_dir: Path) -> ChainReport:
    check = signature_check(keys_dir)
    report = verify_chain(s.events, record_hash_fn("sha256"), checkpoints=s.checkpoints,
                          verify_signature=check, policy=DEFAULT_POLICY)
    assert report.ok, f"chain broken after the crash: {report}"
    assert report.checked == len(s.events)
    assert (report.last_seq, report.last_hash) == s.head, "the head row does not name the last record"
    return report


def unexplained(s: Stored) -> tuple[list[str], list[str]]:
    """(template rows with no enroll record, enrolled templates gone with no later delete/withdraw/purge)."""
    enrolled: dict[str, ChainedEvent] = {}
    for rec in s.events:
        template = rec.event.detail.get("template") if rec.event.kind == "enroll" else None
        if template:
            enrolled[str(template)] = rec
    orphans = sorted(tid for tid in s.templates if tid not in enrolled)
    missing = []
    for tid, rec in enrolled.items():
        if tid in s.templates:
            continue
        later = [e.event for e in s.events[rec.seq:]]  # seq is 1-based and gapless (the chain verified)
        removed = any(e.kind in REMOVING and (e.subject_ref == rec.event.subject_ref or e.kind == "purge"
                                              and e.deployment_id == rec.event.deployment_id) for e in later)
        # An enroll that pushes out a person's oldest template should name it (detail["replaced"]).
        replaced = any(e.kind == "enroll" and tid in (e.detail.get("replaced") or ()) for e in later)
        if not (removed or replaced):
            missing.append(tid)
    return orphans, sorted(missing)


# --- the server --------------------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    env: dict[str, str]
    log: Path
    port: int = 0
    proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 60.0) -> None:
        self.port = _free_port()
        out = self.log.open("ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "tests.integration.crash_app:app", "--host", "127.0.0.1",
             "--port", str(self.port), "--log-level", "warning", "--no-access-log"],
            cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT,
        )
        out.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"server exited with {self.proc.returncode}:\n{self.log.read_text()[-3000:]}")
            try:
                if httpx.get(self.url + "/healthz", timeout=1.0).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise AssertionError(f"server did not start in {timeout} s:\n{self.log.read_text()[-3000:]}")

    def kill9(self) -> None:
        assert self.proc is not None
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(10)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)


@dataclass
class Burst:
    acknowledged: list[str] = field(default_factory=list)  # template ids the client got a 201 for
    statuses: dict[str, int] = field(default_factory=dict)
    errors: int = 0
    done: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def count(self, what: str) -> None:
        with self.lock:
            self.statuses[what] = self.statuses.get(what, 0) + 1
            self.done += 1


class ServerErrors(AssertionError):
    """The burst got 5xx answers (checked after every record invariant held)."""


@dataclass(frozen=True)
class Scenario:
    engine: str  # "fake" or "real"
    guests: int
    enrolls_per_guest: int
    workers: int


def _images(scenario: Scenario, face_images: dict[str, bytes]) -> list[bytes]:
    if scenario.engine == "fake":
        return []
    return [face_images[n] for n in ("obama.jpg", "obama2.jpg", "obama3.jpg", "biden.jpg")]


def _body(scenario: Scenario, images: list[bytes], guest: int, shot: int) -> bytes:
    return f"face:guest-{guest}:{shot}".encode() if scenario.engine == "fake" else images[(guest + shot) % len(images)]


def _prepare(settings: Settings, guests: int) -> tuple[str, str, str]:
    """Deployment, consents and an admin key, written straight to the store before the server starts."""
    ctx: AppContext = build_context(settings, engine=FakeFaceEngine())
    try:
        d = apply_manifest_text(ctx.services, HOTEL.read_text(encoding="utf-8"), HOTEL.name).deployment
        purpose = d.purposes[0]
        for g in range(guests):
            give_consent(ctx.services, ConsentRequest(d.id, f"guest-{g}", purpose, d.notice_version,
                                                          age_attested_by="desk"))
        token = create_api_key(ctx.services, name="crash-test", role="admin", scopes=("*",)).token
        return d.id, purpose, token
    finally:
        ctx.close()


def _fire(server: Server, scenario: Scenario, images: list[bytes], deployment: str, purpose: str,
          headers: dict[str, str], kill_after: int) -> Burst:
    """Concurrent enrolls, with withdrawals and deletions mixed in; SIGKILL once ``kill_after`` have answered."""
    rng = random.Random(7)
    jobs: list[tuple[str, int, int]] = [("enroll", g, s) for g in range(scenario.guests)
                                        for s in range(scenario.enrolls_per_guest)]
    jobs += [("withdraw", g, 0) for g in range(0, scenario.guests, 7)]
    jobs += [("delete", g, 0) for g in range(3, scenario.guests, 11)]
    rng.shuffle(jobs)
    burst = Burst()
    base = f"/v1/deployments/{deployment}"

    def one(client: httpx.Client, job: tuple[str, int, int]) -> None:
        op, g, shot = job
        ref = f"guest-{g}"
        try:
            if op == "enroll":
                r = client.post(f"{base}/enroll", params={"purpose": purpose, "subject_ref": ref},
                                content=_body(scenario, images, g, shot), headers={"content-type": "image/jpeg"})
                if r.status_code == 201:
                    with burst.lock:
                        burst.acknowledged.append(r.json()["template_id"])
            elif op == "withdraw":
                r = client.post("/v1/consents/withdraw", json={"deployment_id": deployment, "subject_ref": ref})
            else:
                r = client.delete(f"{base}/subjects/{ref}")
            burst.count(f"{op} {r.status_code}")
        except httpx.HTTPError:
            with burst.lock:
                burst.errors += 1
            burst.count(f"{op} connection error")

    with httpx.Client(base_url=server.url, headers=headers, timeout=60.0) as client, \
            ThreadPoolExecutor(scenario.workers) as pool:
        futures = [pool.submit(one, client, job) for job in jobs]
        deadline = time.monotonic() + 120
        while burst.done < kill_after and time.monotonic() < deadline:
            time.sleep(0.005)
        server.kill9()
        for f in futures:
            f.result()
    return burst


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
    deployment, purpose, token = _prepare(settings, scenario.guests)
    headers = {"Authorization": f"Bearer {token}"}
    env = {**os.environ, "FACEGATE_ENV": "test", "FACEGATE_DATA_DIR": str(data_dir),
           "FACEGATE_BOOTSTRAP_ADMIN_KEY": "false", "FACEGATE_CRASH_FAKE_ENGINE": "1" if scenario.engine == "fake" else "0"}
    env.pop("FACEGATE_DATABASE_URL", None)
    if db_url:
        env["FACEGATE_DATABASE_URL"] = db_url
    images = _images(scenario, face_images)
    server = Server(env, log)
    try:
        server.start()
        total = scenario.guests * scenario.enrolls_per_guest
        burst = _fire(server, scenario, images, deployment, purpose, headers, kill_after=total // 3)
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
                            content=_body(scenario, images, g, 9), headers={"content-type": "image/jpeg"})
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
    deployment, purpose, _ = _prepare(settings, 1)
    ctx = build_context(settings, engine=FakeFaceEngine())
    try:
        for shot in range(ctx.services.max_templates_per_subject + 1):
            assert enroll(ctx.services, deployment, "guest-0", purpose, f"face:guest-0:{shot}".encode()).template_id
    finally:
        ctx.close()
    stored = read_store(settings.db_url)
    verify_stored(stored, settings.keys_dir)
    assert unexplained(stored) == ([], [])
