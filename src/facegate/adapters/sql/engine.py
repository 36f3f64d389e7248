"""Engine creation and schema migration for SQLite (embedded default) and PostgreSQL."""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import DBAPIError

if TYPE_CHECKING:
    from alembic.config import Config

from facegate.domain.refs import text_invalid, text_problem

MIGRATIONS = Path(__file__).parent / "migrations"


def _has_forbidden_text(params: Any) -> bool:
    if isinstance(params, str):
        return text_problem(params) is not None
    if isinstance(params, dict):
        return any(_has_forbidden_text(v) for v in params.values())
    if isinstance(params, list | tuple):
        return any(_has_forbidden_text(v) for v in params)
    if hasattr(params, "obj") and hasattr(params, "dumps"):  # psycopg's Json wrapper around a JSON value
        return _has_forbidden_text(params.obj)
    return False


def _refuse_nul(engine: Engine) -> None:
    """The last line before the driver: PostgreSQL cannot store NUL (it would be a 500) and SQLite
    would store it silently, so both refuse it with the same stable code, whoever the caller is."""

    @event.listens_for(engine, "before_cursor_execute")
    def _check(_conn: Any, _cursor: Any, _statement: str, parameters: Any, _context: Any, _many: bool) -> None:
        if _has_forbidden_text(parameters):
            raise text_invalid("stored text")


def make_engine(url: str, *, for_reads: bool = False, **kwargs: Any) -> Engine:
    """Create an engine; SQLite gets WAL, foreign keys and writer serialisation.

    ``for_reads`` makes a SQLite engine whose transactions start deferred, so
    read-only units of work neither wait for nor take the write lock.
    """
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, **kwargs)

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn: Any, _record: Any) -> None:
            dbapi_conn.isolation_level = None  # let SQLAlchemy's begin event issue BEGIN
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.execute("PRAGMA secure_delete=ON")  # deleted template bytes are overwritten
            # WAL + NORMAL: a crash of the process loses nothing committed; only a power
            # cut can lose the last commits, and never corrupts the chain.
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        @event.listens_for(engine, "begin")
        def _begin(conn: Any) -> None:
            # Take the write lock up front: two writers that both read the chain head
            # and then upgrade to write would otherwise deadlock.
            # On the driver's connection: through exec_driver_sql this statement cost as much as a query.
            conn.connection.driver_connection.execute("BEGIN" if for_reads else "BEGIN IMMEDIATE")

        _refuse_nul(engine)
        return engine
    # No pre-ping: it cost a round trip (SELECT 1) on every checkout, i.e. on every unit of work (issue 14).
    # When the server restarts, the first statement on a dead connection fails (a 503 at the web layer),
    # SQLAlchemy then discards every pooled connection at once, and the next unit of work reconnects.
    engine = create_engine(url, **kwargs)
    _refuse_nul(engine)
    return engine


def postgresql_insert() -> Any:
    """``sqlalchemy.dialects.postgresql.insert``, imported when first used: a SQLite node never loads the
    PostgreSQL dialect (issue 14: start-up)."""
    from sqlalchemy.dialects.postgresql import insert

    return insert


def alembic_config(url: str) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


_ASSIGNED = re.compile(r"^(revision|down_revision)\s*(?::[^=]*)?=\s*(.+)$", re.MULTILINE)


def script_heads() -> set[str]:
    """The head revisions of the migration scripts, read from their text (no alembic import: issue 14)."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (MIGRATIONS / "versions").glob("*.py"):
        found = dict(_ASSIGNED.findall(path.read_text(encoding="utf-8")))
        if "revision" not in found:
            continue
        revisions.add(ast.literal_eval(found["revision"]))
        down = ast.literal_eval(found.get("down_revision", "None"))
        parents.update([down] if isinstance(down, str) else down or ())
    return revisions - parents


def is_at_head(engine: Engine) -> bool:
    """Does the database already stand at every head? Then starting needs no migration run."""
    try:
        with engine.connect() as conn:
            stamped = {row[0] for row in conn.exec_driver_sql("SELECT version_num FROM alembic_version")}
    except DBAPIError:  # no version table yet: a new database
        return False
    heads = script_heads()
    return bool(heads) and stamped == heads


def upgrade(engine: Engine) -> None:
    """Bring the schema to the newest revision (idempotent); alembic runs only when something is to do."""
    if is_at_head(engine):
        return
    from alembic import command

    cfg = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.connect() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
