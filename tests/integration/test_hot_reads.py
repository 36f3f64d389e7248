"""The gate's reads on the driver's cursor give what SQLAlchemy gives, on SQLite and PostgreSQL (issue 14).

``HotRead`` runs a constant SQLAlchemy statement on the DB-API connection of the unit of
work: the rows must carry the same values (aware UTC datetimes, decoded JSON, bytes), text
with NUL must be refused with the store's stable code, and a driver error must still reach
the caller as SQLAlchemy's error (the web layer turns that into 503).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Table, bindparam, column, select, table
from sqlalchemy.exc import DBAPIError

from facegate.adapters.sql.consents import _FOR_SUBJECT_HERE
from facegate.adapters.sql.deployments import _GET
from facegate.adapters.sql.hot_reads import HotRead
from facegate.adapters.sql.subjects import _HELD, _SUBJECT_BY_REF
from facegate.bootstrap import AppContext, build_context
from facegate.errors import InvalidInput
from facegate.services.consent import ConsentRequest, give_consent
from facegate.services.faces import enroll
from facegate.testing import FakeFaceEngine
from tests.conftest import install_deployment, make_settings

P = "identity_verification"


@pytest.fixture
def ctx(tmp_path: Path, database_url: str) -> Iterator[AppContext]:
    c = build_context(make_settings(tmp_path, database_url), engine=FakeFaceEngine())
    yield c
    c.close()


def test_rows_equal_sqlalchemys(ctx: AppContext) -> None:
    d = install_deployment(ctx)
    give_consent(ctx.services, ConsentRequest(d.id, "alice", P, d.notice_version, age_attested_by="test"))
    assert enroll(ctx.services, d.id, "alice", P, b"face:alice:1").decision.allowed
    with ctx.store.transaction(readonly=True) as tx:
        conn = tx.conn
        subject = _SUBJECT_BY_REF.first(conn, {"processor": d.processor_id, "ref": "alice"})
        cases: list[tuple[HotRead, dict[str, str]]] = [
            (_GET, {"id": d.id}),
            (_SUBJECT_BY_REF, {"processor": d.processor_id, "ref": "alice"}),
            (_HELD, {"subject": subject.id, "deployment": d.id, "purpose": P}),
            (_FOR_SUBJECT_HERE, {"subject": subject.id, "deployment": d.id}),
        ]
        for hot, params in cases:
            fast = hot.rows(conn, params)
            slow = [r._mapping for r in conn.execute(hot.stmt, params)]
            assert fast and [dict(r._mapping) for r in fast] == [dict(m) for m in slow]
        held = _HELD.first(conn, {"subject": subject.id, "deployment": d.id, "purpose": P})
        assert held.created_at.tzinfo is not None and isinstance(held.sealed, bytes)
        assert isinstance(_GET.first(conn, {"id": d.id}).manifest, dict)


def test_nul_in_a_parameter_is_refused_with_the_stores_code(ctx: AppContext) -> None:
    with ctx.store.transaction(readonly=True) as tx, pytest.raises(InvalidInput) as err:
        _GET.first(tx.conn, {"id": "hotel\x00frontdesk"})
    assert err.value.code == "text_invalid"


def test_a_driver_error_reaches_the_caller_as_sqlalchemys(ctx: AppContext) -> None:
    missing: Table = table("no_such_table", column("id"))  # type: ignore[assignment]
    hot = HotRead(select(missing.c.id).where(missing.c.id == bindparam("id")))
    with pytest.raises(DBAPIError), ctx.store.transaction(readonly=True) as tx:
        hot.rows(tx.conn, {"id": "x"})
