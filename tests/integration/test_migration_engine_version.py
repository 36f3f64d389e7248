"""Migration 0007: templates stored before engine versions existed become dlib's version 1 (SQLite, PostgreSQL)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from sqlalchemy import text

from facegate.adapters.sql.engine import alembic_config, make_engine
from facegate.bootstrap import build_context
from facegate.services.consent import ConsentRequest, give_consent
from facegate.services.faces import enroll
from facegate.testing import FakeFaceEngine, FixedClock
from tests.conftest import install_deployment, make_settings


def test_templates_from_before_0007_get_engine_version_1(tmp_path: Path, database_url: str, clock: FixedClock) -> None:
    ctx = build_context(make_settings(tmp_path, database_url), clock=clock, engine=FakeFaceEngine())
    d = install_deployment(ctx)
    give_consent(ctx.services, ConsentRequest(d.id, "guest", d.purposes[0], d.notice_version, age_attested_by="desk"))
    assert enroll(ctx.services, d.id, "guest", d.purposes[0], b"face:guest:1").decision.allowed
    ctx.close()

    cfg = alembic_config(database_url)
    command.downgrade(cfg, "0005_gallery_changes")  # the schema as it was: no engine_version column
    db = make_engine(database_url)
    with db.connect() as conn:
        assert "engine_version" not in conn.execute(text("SELECT * FROM templates")).keys()
    command.upgrade(cfg, "head")
    with db.connect() as conn:
        assert conn.execute(text("SELECT engine, engine_version FROM templates")).one() == ("fake", "1")
    db.dispose()
