"""Constant reads on the face operations' hot path, executed on the driver's connection (issue 14).

The gate reads a deployment's stamp, the person, their sealed templates and consents on
every verify. Through SQLAlchemy's execution machinery each such statement cost several
times what the database takes to answer it (events, execution context, result
metadata). A ``HotRead`` is built from the same SQLAlchemy Core statement the repository
would run, compiled once per dialect; it then runs on the DB-API cursor of the unit of
work's own connection, inside its transaction, and applies SQLAlchemy's own result
processors, so the rows carry the same Python values (aware UTC datetimes, decoded JSON)
as ``conn.execute`` would give, on SQLite and PostgreSQL alike.

What the engine-level hooks did for these statements is done here: parameters with text
the store refuses (NUL) raise the same stable error. A driver error is not reported from
here: the statement runs again through SQLAlchemy, which raises its wrapped error and
discards a dead connection from the pool, as for every other statement.
"""

from __future__ import annotations

import threading
from collections import namedtuple
from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection, Dialect, Select

from facegate.domain.refs import text_invalid, text_problem

Processor = Callable[[Any], Any]


def _row_class(names: list[str]) -> Any:
    """A named tuple that reads like SQLAlchemy's Row: ``row.name`` and ``row._mapping``."""
    base: Any = namedtuple("HotRow", names)  # type: ignore[misc]  # the columns are known only at run time

    class HotRow(base):
        __slots__ = ()

        @property
        def _mapping(self) -> dict[str, Any]:
            return dict(self._asdict())

    return HotRow


class _Compiled:
    """One statement's SQL for one dialect, its parameter order and its column processors."""

    __slots__ = ("sql", "positions", "row", "processors", "bind")

    def __init__(self, stmt: Select[Any], dialect: Dialect) -> None:
        compiled = stmt.compile(dialect=dialect)
        self.sql = str(compiled)
        # qmark (SQLite) takes a tuple in this order; pyformat (psycopg) takes the dict as it is.
        self.positions: tuple[str, ...] | None = tuple(compiled.positiontup or ()) if compiled.positional else None
        names = [col[0] for col in compiled._result_columns]
        if len(set(names)) != len(names):
            raise ValueError(f"hot read with duplicate column names: {names}")
        self.row = _row_class(names)
        procs = [col[3]._cached_result_processor(dialect, None) for col in compiled._result_columns]
        self.processors: tuple[tuple[int, Processor], ...] = tuple((i, p) for i, p in enumerate(procs) if p)
        self.bind: dict[str, Processor] = {k: p for k, p in compiled._bind_processors.items()
                                           if callable(p)}


class HotRead:
    """A constant SELECT with named bind parameters, run on the connection's driver cursor."""

    def __init__(self, stmt: Select[Any]) -> None:
        self.stmt = stmt
        self._by_dialect: dict[str, _Compiled] = {}
        self._lock = threading.Lock()

    def _compiled(self, dialect: Dialect) -> _Compiled:
        c = self._by_dialect.get(dialect.name)
        if c is None:
            with self._lock:
                c = self._by_dialect.get(dialect.name) or _Compiled(self.stmt, dialect)
                self._by_dialect[dialect.name] = c
        return c

    def rows(self, conn: Connection, params: dict[str, str]) -> list[Any]:
        """Every row, as named tuples whose values went through SQLAlchemy's result processors."""
        for value in params.values():  # the engine's NUL guard does not see driver-level statements
            if text_problem(value) is not None:
                raise text_invalid("stored text")
        c = self._compiled(conn.dialect)
        bound: dict[str, Any] = {k: (c.bind[k](v) if k in c.bind else v) for k, v in params.items()}
        args: Any = bound if c.positions is None else tuple(bound[k] for k in c.positions)
        try:
            cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
            try:
                cursor.execute(c.sql, args)
                raw = cursor.fetchall()
            finally:
                cursor.close()
        except Exception:  # noqa: BLE001 - SQLAlchemy reports it, wrapped, and handles a lost connection
            return list(conn.execute(self.stmt, params))
        if not c.processors:
            return [c.row._make(r) for r in raw]
        out = []
        for r in raw:
            values = list(r)
            for i, proc in c.processors:
                values[i] = proc(values[i])
            out.append(c.row._make(values))
        return out

    def first(self, conn: Connection, params: dict[str, str]) -> Any:
        rows = self.rows(conn, params)
        return rows[0] if rows else None
