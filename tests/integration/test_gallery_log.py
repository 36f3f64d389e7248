"""The gallery change log: a node that heard nothing still catches up from the database (issue 11, item 6).

Node B starts while Redis is unreachable (a real client on a closed port), so no
message ever reaches it; node A enrols and deletes with no feed at all. B must
still find the new template and drop the deleted one by replaying the log by
version, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import socket
from pathlib import Path

from facegate.adapters.feed import RedisChangeFeed
from facegate.adapters.index import GalleryIndex
from facegate.bootstrap import build_context
from facegate.services import faces, subjects
from facegate.services.consent import ConsentRequest, give_consent
from facegate.services.gallery import MemoryGallery
from facegate.services.gallery_sync import SharedGallery
from facegate.testing import FakeFaceEngine, FixedClock
from tests.conftest import install_deployment, make_settings

P = "identity_verification"


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])  # closed again when this returns: nothing listens there


def test_a_node_that_heard_nothing_catches_up_from_the_log(tmp_path: Path, database_url: str) -> None:
    a = build_context(make_settings(tmp_path, database_url), clock=FixedClock(), engine=FakeFaceEngine())
    b_local = MemoryGallery(a.store, a.services.keys, 128, lambda dim: GalleryIndex(dim))
    b = SharedGallery(b_local, RedisChangeFeed(f"redis://127.0.0.1:{_closed_port()}/0"), a.store, poll_s=3600)
    try:
        d = install_deployment(a)
        probe = a.services.engine.embed(b"face:alice:9").vector
        assert b.search(d.id, P, probe, 1) == []  # B's index is loaded now, and empty
        give_consent(a.services, ConsentRequest(d.id, "alice", P, d.notice_version))
        tid = faces.enroll(a.services, d.id, "alice", P, b"face:alice:1").template_id
        assert b.search(d.id, P, probe, 1) == []  # no message came: B does not know yet
        assert b.catch_up() == 1 and [h[0] for h in b.search(d.id, P, probe, 1)] == [tid]
        assert b.catch_up() == 0  # replaying is idempotent and nothing is new

        subjects.delete_subject(a.services, d.id, "alice", actor="cli")
        assert b.catch_up() == 1 and b.search(d.id, P, probe, 1) == []
        status = b.status()
        assert status["feed"]["connected"] is False and status["feed"]["last_error"]  # type: ignore[index]
        assert "redis://" not in str(status)  # no URL (it may carry a password)
    finally:
        b.close()
        a.close()


def _rows(ctx: object) -> int:
    from sqlalchemy import func, select

    from facegate.adapters.sql import tables as t

    with ctx.store.engine.connect() as conn:  # type: ignore[attr-defined]
        return int(conn.execute(select(func.count()).select_from(t.gallery_changes)).scalar_one())


def test_rows_every_node_has_applied_are_pruned_and_a_node_left_behind_reloads(tmp_path: Path,
                                                                               database_url: str) -> None:
    """The log keeps what some live node still has to apply, nothing more (it grew for ever before)."""
    from facegate.services.gallery_sync import CONSUMER_LEASE_S

    a = build_context(make_settings(tmp_path, database_url), clock=FixedClock(), engine=FakeFaceEngine())
    now = [1_000_000.0]
    nodes = [SharedGallery(MemoryGallery(a.store, a.services.keys, 128, lambda dim: GalleryIndex(dim)),
                           RedisChangeFeed(f"redis://127.0.0.1:{_closed_port()}/0"), a.store, poll_s=3600,
                           clock=lambda: now[0]) for _ in range(2)]
    b, c = nodes
    try:
        d = install_deployment(a)
        probe = a.services.engine.embed(b"face:alice:9").vector
        give_consent(a.services, ConsentRequest(d.id, "alice", P, d.notice_version))
        tid = faces.enroll(a.services, d.id, "alice", P, b"face:alice:1").template_id
        second = faces.enroll(a.services, d.id, "alice", P, b"face:alice:2").template_id
        assert _rows(a) == 2
        assert b.catch_up() == 2 and _rows(a) == 2  # c has applied neither: both kept
        assert c.catch_up() == 2 and _rows(a) == 1  # every node has: pruned, but for the newest (the version)
        assert sorted(h[0] for h in c.search(d.id, P, probe, 2)) == sorted([tid, second])

        now[0] += CONSUMER_LEASE_S + 1  # c stops reporting (stalled, cut off): after the lease it holds nothing back
        subjects.delete_subject(a.services, d.id, "alice", actor="cli")
        give_consent(a.services, ConsentRequest(d.id, "bob", P, d.notice_version))
        bob = faces.enroll(a.services, d.id, "bob", P, b"face:bob:1").template_id
        assert b.catch_up() == 2 and _rows(a) == 1  # c, silent past the lease, is forgotten
        c.catch_up()  # c finds its report gone: rows it never applied are gone too, so it reloads from the store
        assert [h[0] for h in c.search(d.id, P, probe, 1)] == [bob]  # alice is gone there as well
        faces.enroll(a.services, d.id, "bob", P, b"face:bob:2")
        assert c.catch_up() == 1 and b.catch_up() == 1 and _rows(a) == 1  # c replays again, and is counted again
    finally:
        for n in nodes:
            n.close()
        a.close()


def test_with_no_node_replaying_the_retention_pass_prunes_the_log(tmp_path: Path, database_url: str) -> None:
    """A single node (no Redis, nobody replays) still writes the log; the purge every node runs prunes it."""
    from facegate.services.purge import purge_expired

    a = build_context(make_settings(tmp_path, database_url), clock=FixedClock(), engine=FakeFaceEngine())
    try:
        d = install_deployment(a)
        for ref in ("alice", "bob"):
            give_consent(a.services, ConsentRequest(d.id, ref, P, d.notice_version))
            faces.enroll(a.services, d.id, ref, P, f"face:{ref}:1".encode())
        assert _rows(a) == 2
        purge_expired(a.services)
        assert _rows(a) == 1  # the newest stays: it is the log's version
    finally:
        a.close()
