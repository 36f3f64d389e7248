"""SqlStore: the Store port on SQLAlchemy Core, one transaction per unit of work."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from typing import Any, Generic, TypeVar, overload

from sqlalchemy import Connection, Engine, text

from facegate.adapters.sql import tables as t
from facegate.adapters.sql.access import SqlApiKeys, SqlSubjectKeys
from facegate.adapters.sql.consents import SqlConsents
from facegate.adapters.sql.deployments import DeploymentCache, SqlDeployments
from facegate.adapters.sql.gallery_log import GalleryLogMixin
from facegate.adapters.sql.group_commit import GroupCommitter
from facegate.adapters.sql.person_store import SqlPersonRequests
from facegate.adapters.sql.record_append import LinkSql, RecordAppendMixin, watch_writes
from facegate.adapters.sql.record_batch import write_batch
from facegate.adapters.sql.record_repo import SqlGalleryLog, SqlRecord
from facegate.adapters.sql.records import RecordsMixin, Signer
from facegate.adapters.sql.security_events import SqlSecurityEvents
from facegate.adapters.sql.subjects import SqlSubjects, SqlTemplates
from facegate.adapters.sql.workbench import SqlWorkbench
from facegate.domain.audit import EncodedEvent, HashFn
from facegate.domain.chain import DEFAULT_POLICY


T = TypeVar("T")


class per_unit(Generic[T]):  # noqa: N801 - used like the decorator it replaces
    """``functools.cached_property`` without its lock. On Python 3.11 that lock is one per attribute for
    every instance, held while the value is made; making a repository opens the unit's connection, which
    on SQLite waits for the write lock, so a unit that held it and wanted the same repository waited for
    the waiting unit until SQLite's busy timeout failed one of them. A unit of work is one thread's."""

    def __init__(self, make: Callable[[Any], T]) -> None:
        self._make = make
        self._name = make.__name__

    @overload
    def __get__(self, obj: None, owner: type | None = None) -> per_unit[T]: ...
    @overload
    def __get__(self, obj: object, owner: type | None = None) -> T: ...

    def __get__(self, obj: object, owner: type | None = None) -> T | per_unit[T]:
        if obj is None:
            return self
        value = self._make(obj)
        obj.__dict__[self._name] = value  # later reads find it there: this is a non-data descriptor
        return value


class SqlTx(RecordsMixin, RecordAppendMixin, GalleryLogMixin):
    """The unit of work over one connection inside a transaction: one repository per aggregate.

    The connection is checked out and its transaction begun the first time anything reads or
    writes: a unit whose only write is its record never opens one of its own (``opened`` stays
    False), its records are group-committed after it (M-9.3).
    """

    def __init__(self, connect: Callable[[], Connection], hash_fn: HashFn, signer: Signer | None = None,
                 every_events: int = DEFAULT_POLICY.every_events,
                 every_seconds: int = DEFAULT_POLICY.every_seconds,
                 deployment_cache: DeploymentCache | None = None, readonly: bool = False) -> None:
        self._connect = connect
        self._hash_fn = hash_fn
        self._signer = signer
        self._every_events = every_events
        self._every_seconds = every_seconds
        self._gallery: dict[str, list[str]] | None = None  # this transaction's gallery changes, for the log
        self._deployment_cache = deployment_cache
        self._readonly = readonly  # only read-only units fill the deployment cache
        self._begin_records()

    @per_unit
    def conn(self) -> Connection:
        conn = self._connect()
        self._watch_writes(conn)
        return conn

    @property
    def opened(self) -> bool:
        """Has this unit of work checked out its connection (and begun its transaction)?"""
        return self._opened()

    # Each repository is made the first time a unit of work asks for it (most use two or three).
    @per_unit
    def deployments(self) -> SqlDeployments:
        return SqlDeployments(self.conn, self._deployment_cache, fills_cache=self._readonly)

    @per_unit
    def subjects(self) -> SqlSubjects:
        return SqlSubjects(self.conn, self._gallery_note)

    @per_unit
    def templates(self) -> SqlTemplates:
        return SqlTemplates(self.conn, self._gallery_note)

    @per_unit
    def consents(self) -> SqlConsents:
        return SqlConsents(self.conn)

    @per_unit
    def subject_keys(self) -> SqlSubjectKeys:
        return SqlSubjectKeys(self.conn)

    @per_unit
    def api_keys(self) -> SqlApiKeys:
        return SqlApiKeys(self.conn)

    @per_unit
    def security(self) -> SqlSecurityEvents:
        return SqlSecurityEvents(self.conn)

    @per_unit
    def record(self) -> SqlRecord:
        return SqlRecord(self)

    @per_unit
    def gallery_log(self) -> SqlGalleryLog:
        return SqlGalleryLog(self)

    @per_unit
    def workbench(self) -> SqlWorkbench:
        return SqlWorkbench(self.conn)

    @per_unit
    def person(self) -> SqlPersonRequests:
        return SqlPersonRequests(self.conn)

    def try_exclusive(self, name: str) -> bool:
        """Take a named lock for this transaction, or answer False at once if another node holds it."""
        if self.conn.dialect.name == "postgresql":
            key = int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)
            return bool(self.conn.execute(text("SELECT pg_try_advisory_xact_lock(:k)"), {"k": key}).scalar_one())
        return True  # SQLite: every write transaction began IMMEDIATE, so it already holds the only write lock


def _no_connection() -> Connection:
    raise RuntimeError("the group commit's linker has no SQLAlchemy connection")


class SqlStore:
    """The Store port: hands out one SqlTx per transaction."""

    def __init__(self, engine: Engine, hash_fn: HashFn, read_engine: Engine | None = None,
                 signer: Signer | None = None,
                 checkpoint_every: tuple[int, int] = (DEFAULT_POLICY.every_events, DEFAULT_POLICY.every_seconds)
                 ) -> None:
        # Verification replays DEFAULT_POLICY: signing less often would read as removed checkpoints (M-9.3).
        if checkpoint_every[0] > DEFAULT_POLICY.every_events or checkpoint_every[1] > DEFAULT_POLICY.every_seconds:
            raise ValueError("checkpoints may be signed more often than the default policy, never less often")
        self.engine = engine
        self.read_engine = read_engine or engine
        self.hash_fn = hash_fn
        self.signer = signer
        self.checkpoint_every = checkpoint_every
        watch_writes(self.engine)
        watch_writes(self.read_engine)
        self._group = GroupCommitter(self._write_records)
        self.deployment_cache = DeploymentCache()  # decoded deployments, checked against the row's version

    def __repr__(self) -> str:
        return f"SqlStore({self.engine.url.render_as_string(hide_password=True)!r})"

    @contextmanager
    def transaction(self, readonly: bool = False) -> Iterator[SqlTx]:
        engine = self.read_engine if readonly else self.engine
        leading = False
        deferred: list[EncodedEvent] = []
        try:
            with ExitStack() as opened:  # holds the connection's transaction once the unit opens it
                tx = SqlTx(lambda: opened.enter_context(engine.begin()), self.hash_fn, self.signer,
                           *self.checkpoint_every, deployment_cache=self.deployment_cache, readonly=readonly)
                yield tx
                # Skipped when the body raised: the rollback takes the records and the changes too.
                deferred = tx.take_deferred_records()  # [] when they were linked into this transaction
                # The unit has a transaction open anyway and nobody else is committing records: link them
                # here, one commit (never on a separate read engine: a replica, or SQLite's deferred
                # transactions that would have to upgrade their lock).
                if (deferred and tx.opened and (not readonly or self.read_engine is self.engine)
                        and self._group.try_lead()):
                    leading = True
                    tx.link_events(deferred)
                    deferred = []
                tx.flush_gallery_changes()
        finally:
            if leading:  # after the commit: the next batch must chain after this one
                self._group.release()
        if deferred:  # the unit wrote nothing but records: commit them with concurrent units' (M-9.3)
            self._group.submit(deferred)

    def _write_records(self, events: list[EncodedEvent]) -> None:
        """The group commit's batch: straight on a pooled DB-API connection (record_batch.py)."""
        linker = SqlTx(_no_connection, self.hash_fn, self.signer, *self.checkpoint_every)
        write_batch(self.engine, lambda driver, sqlite: linker.link_on(LinkSql(driver, sqlite), events))

    def dispose(self) -> None:
        self.engine.dispose()
        self.read_engine.dispose()
