"""The group commit's write: one batch of records, one transaction, on a pooled DB-API connection (M-9.3).

The leader of a group commit writes the records of units that are waiting for it. It
needs nothing of SQLAlchemy's Connection (its begin hook, execution events, transaction
object), which cost about as much as the batch itself when the batch is small (issue 14).
So it takes a connection from the engine's own pool, begins (``BEGIN IMMEDIATE`` on
SQLite, psycopg's implicit ``BEGIN`` on PostgreSQL), links the batch with the same
statements a unit of work uses, and commits; the waiting units return once that commit
returned. PostgreSQL keeps ``synchronous_commit`` on: durable means flushed.

A driver error reaches the callers as SQLAlchemy's ``DBAPIError`` (the web layer answers
a lost database with 503, as for any other statement), and a connection the server
dropped is discarded from the pool instead of going back into it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import PoolProxiedConnection


def write_batch(engine: Engine, link: Callable[[Any, bool], object]) -> None:
    """Run ``link(driver_connection, is_sqlite)`` in one transaction and commit it."""
    raw = engine.raw_connection()
    try:
        driver: Any = raw.driver_connection
        sqlite = engine.dialect.name == "sqlite"
        try:
            if sqlite:  # the connection runs in autocommit mode: SQLAlchemy's begin hook is not here to begin
                driver.execute("BEGIN IMMEDIATE")
            link(driver, sqlite)
            raw.commit()
        except BaseException as exc:
            _fail(engine, raw, exc)
    finally:
        raw.close()  # back to the pool (which rolls back whatever is left), or away if invalidated


def _fail(engine: Engine, raw: PoolProxiedConnection, exc: BaseException) -> None:
    try:
        raw.rollback()
    except Exception:  # noqa: BLE001, S110 - a dead connection cannot roll back; the server already did
        pass
    dbapi_error = engine.dialect.loaded_dbapi.Error
    if not isinstance(exc, dbapi_error):
        raise exc
    gone = engine.dialect.is_disconnect(exc, raw, None)
    if gone:
        raw.invalidate(exc)
    raise DBAPIError.instance(None, None, exc, dbapi_error, connection_invalidated=gone,
                              dialect=engine.dialect) from exc
