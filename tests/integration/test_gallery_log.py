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
