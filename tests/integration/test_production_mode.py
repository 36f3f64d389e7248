"""FACEGATE_ENV=prod refuses unsafe defaults; every node entry point runs the purge under one lock (M-8.5)."""

from __future__ import annotations

import os
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from facegate.bootstrap import build_context
from facegate.errors import ConfigurationError
from facegate.services.consent import ConsentRequest, give_consent
from facegate.services.faces import enroll
from facegate.services.purge import PURGE_LOCK, purge_expired
from facegate.settings import Settings
from facegate.testing import FakeFaceEngine, FixedClock
from tests.conftest import install_deployment, make_settings

ROOT = Path(__file__).resolve().parents[2]
P = "identity_verification"


def test_prod_refuses_to_start_without_a_public_base_url(tmp_path: Path) -> None:
    for extra in ({}, {"public_base_url": "http://127.0.0.1:8000"}, {"public_base_url": "http://localhost"}):
        settings = Settings(env="prod", data_dir=tmp_path / "data", examples_dir=None, **extra)
        with pytest.raises(ConfigurationError) as refused:
            build_context(settings, engine=FakeFaceEngine())
        assert refused.value.code == "unsafe_production_config"
        assert "FACEGATE_PUBLIC_BASE_URL" in refused.value.message_en and refused.value.message_zh
    ctx = build_context(Settings(env="prod", data_dir=tmp_path / "data", examples_dir=None,
                                 public_base_url="https://face.example.cn"), engine=FakeFaceEngine())
    ctx.close()


def _expired_template(ctx, clock: FixedClock) -> None:  # type: ignore[no-untyped-def]
    d = install_deployment(ctx, retention_days=1)
    give_consent(ctx.services, ConsentRequest(d.id, "guest-1", P, d.notice_version))
    assert enroll(ctx.services, d.id, "guest-1", P, b"face:alice:1").decision.allowed
    clock.advance(days=2)


def _templates(ctx) -> int:  # type: ignore[no-untyped-def]
    with ctx.store.transaction(readonly=True) as tx:
        return len(tx.templates.expired(ctx.services.clock.now()))


@pytest.mark.postgres
def test_only_the_node_holding_the_lock_purges(tmp_path: Path, pg_url: str, clock: FixedClock) -> None:
    ctx = build_context(make_settings(tmp_path, pg_url), clock=clock, engine=FakeFaceEngine())
    try:
        _expired_template(ctx, clock)
        other_node = create_engine(pg_url)
        with other_node.begin() as conn:
            # Another node is in its purge pass: it holds the same lock.
            key = int.from_bytes(__import__("hashlib").sha256(PURGE_LOCK.encode()).digest()[:8], "big", signed=True)
            assert conn.execute(text("SELECT pg_try_advisory_xact_lock(:k)"), {"k": key}).scalar_one()
            skipped = purge_expired(ctx.services)
            assert skipped.is_skipped and skipped.templates_deleted == 0 and _templates(ctx) == 1
        other_node.dispose()
        done = purge_expired(ctx.services)
        assert not done.is_skipped and done.templates_deleted == 1 and _templates(ctx) == 0
    finally:
        ctx.close()


def test_app_from_env_runs_the_purge_schedule(tmp_path: Path, database_url: str, clock: FixedClock,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    import facegate.web.asgi as asgi

    real_build = asgi.build_context
    monkeypatch.setattr(asgi, "build_context", lambda s: real_build(s, clock=clock, engine=FakeFaceEngine()))
    for name, value in {"DATA_DIR": str(tmp_path / "data"), "DATABASE_URL": database_url, "ENV": "prod",
                        "PUBLIC_BASE_URL": "https://face.example.cn", "PURGE_INTERVAL_S": "1"}.items():
        monkeypatch.setenv("FACEGATE_" + name, value)
    app = asgi.app_from_env()
    ctx = app.state.ctx
    try:
        assert ctx.purge is not None and ctx.purge.interval_s == 1
        _expired_template(ctx, clock)
        deadline = time.monotonic() + 30  # wait for the schedule's pass; nothing here is timed
        while _templates(ctx) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert _templates(ctx) == 0
    finally:
        ctx.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _env(tmp_path: Path, **kw: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FACEGATE_")}
    env.update({"FACEGATE_DATA_DIR": str(tmp_path / "var"), "FACEGATE_ENGINE": "dlib", **kw})
    return env


def test_prod_serve_loads_no_examples_and_writes_the_admin_key_to_a_0600_file(tmp_path: Path) -> None:
    port = _free_port()
    env = _env(tmp_path, FACEGATE_ENV="prod", FACEGATE_PUBLIC_BASE_URL="https://face.example.cn")
    proc = subprocess.Popen([sys.executable, "-m", "facegate.cli.main", "serve", "--port", str(port)], cwd=ROOT,
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines: list[str] = []
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.append(line)
            if "API:" in line:
                break
    finally:
        proc.terminate()
        proc.wait(30)
    out = "".join(lines)
    assert f"127.0.0.1:{port}/v1" in out, out
    assert "example" not in out and "fg_" not in out  # no examples, no token on the terminal
    key_file = tmp_path / "var" / "first-admin.key"
    assert f"written to {key_file}" in out
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert key_file.read_text().strip() not in out


def test_a_busy_port_is_a_clear_error_before_any_admin_key(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        r = subprocess.run([sys.executable, "-m", "facegate.cli.main", "serve"], cwd=ROOT, capture_output=True,
                           text=True, env=_env(tmp_path, FACEGATE_PORT=str(port)), timeout=120)
    assert r.returncode == 4, r.stderr
    assert "port_unavailable" in r.stderr and str(port) in r.stderr and "--port" in r.stderr
    assert "admin API key" not in r.stdout and "Traceback" not in r.stderr
    assert not (tmp_path / "var").exists()  # nothing was created, so the next start still shows the key
