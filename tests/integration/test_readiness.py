"""/healthz says ready only once face requests can be served (issue 14: `serve` loads the engine in the background).

A process manager or load balancer that sends traffic on the first 200 must not reach a node whose
face engine is still loading: until then /healthz answers 503 with the engine marked as loading.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from facegate.adapters.face.lazy import LazyFaceEngine
from facegate.bootstrap import AppContext, build_context
from facegate.node import start_schedules
from facegate.ports import FaceEngine
from facegate.testing import FakeFaceEngine
from facegate.web.app import create_app
from tests.conftest import make_settings


@pytest.fixture
def gate() -> threading.Event:
    return threading.Event()


@pytest.fixture
def ctx(tmp_path: Path, database_url: str, gate: threading.Event) -> Iterator[AppContext]:
    def load() -> FaceEngine:
        gate.wait(30)  # the engine "loads" until the test opens the gate
        return FakeFaceEngine()

    engine = LazyFaceEngine(load, name=FakeFaceEngine.name, version=FakeFaceEngine.version)
    c = build_context(make_settings(tmp_path, database_url), engine=engine)
    yield c
    gate.set()
    c.close()


def test_healthz_is_503_while_the_engine_loads_then_200(ctx: AppContext, gate: threading.Event) -> None:
    start_schedules(ctx)  # what `serve` does: the engine starts loading in the background
    client = TestClient(create_app(ctx))
    loading = client.get("/healthz")
    assert loading.status_code == 503
    assert loading.json()["dependencies"]["face_engine"] == {"ok": False, "loading": True}
    gate.set()
    thread = ctx.services.engine.warm_up_thread  # type: ignore[attr-defined]
    thread.join(10)
    ready = client.get("/healthz")
    assert ready.status_code == 200, ready.json()
    assert "face_engine" not in ready.json()["dependencies"] or ready.json()["dependencies"]["face_engine"]["ok"]


def test_healthz_starts_the_load_when_nobody_did(ctx: AppContext, gate: threading.Event) -> None:
    """An app built without `serve` (a test, another ASGI server) still becomes ready."""
    client = TestClient(create_app(ctx))
    assert client.get("/healthz").status_code == 503
    gate.set()
    ctx.services.engine.warm_up_thread.join(10)  # type: ignore[attr-defined]
    assert client.get("/healthz").status_code == 200
