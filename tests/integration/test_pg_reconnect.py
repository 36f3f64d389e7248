"""Without a ping per checkout, a node still recovers when PostgreSQL drops its connections (issue 14).

The pool no longer pings the server before each unit of work. After the server ends every
connection (a restart or failover), at most the first unit of work fails, as "database down";
the pool discards its dead connections and the next one works.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError

from facegate.bootstrap import build_context
from facegate.services.deployments import get_deployment
from facegate.testing import FakeFaceEngine
from tests.conftest import PG_ADMIN_URL, install_deployment, make_settings

pytestmark = pytest.mark.postgres


def test_the_node_reconnects_after_the_server_drops_every_connection(tmp_path: Path, pg_url: str) -> None:
    ctx = build_context(make_settings(tmp_path, pg_url), engine=FakeFaceEngine())
    try:
        d = install_deployment(ctx)
        for _ in range(3):  # several pooled connections
            get_deployment(ctx.services, d.id)
        database = pg_url.rsplit("/", 1)[1]
        admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            ended = conn.execute(text("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                                      "WHERE datname = :db AND pid <> pg_backend_pid()"), {"db": database}).scalar()
        admin.dispose()
        assert ended and ended >= 1
        failures = 0
        for _ in range(3):
            try:
                assert get_deployment(ctx.services, d.id).id == d.id
            except DBAPIError as exc:
                assert exc.connection_invalidated  # reported as database down (503), never a wrong answer
                failures += 1
        assert failures <= 1
        assert get_deployment(ctx.services, d.id).id == d.id
    finally:
        ctx.close()
