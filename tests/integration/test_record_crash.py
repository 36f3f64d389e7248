"""kill -9 while concurrent writers append: nothing acknowledged is lost and the chain verifies (M-9.3, M-14.2).

A subprocess (tests/integration/record_writer.py) appends from eight threads, half
of them through the group commit (units that write nothing but their record),
half inside units that also write a security event. Once it has acknowledged
enough appends to have crossed a signed checkpoint, it is killed with SIGKILL,
with units still in flight. Then, on SQLite and PostgreSQL:

- `audit verify` passes: chain, checkpoints, head row;
- every acknowledged record is in the chain, exactly once, and no record appears twice;
- every mixed unit's record and its security event survived together or not at all;
- the store restarts on the same data and keeps appending to the same chain.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from collections import Counter
from pathlib import Path

from sqlalchemy import select

from facegate.adapters.sql import tables as t
from facegate.bootstrap import build_context
from facegate.domain.audit import AuditEvent
from facegate.services import audit
from facegate.testing import FakeFaceEngine, FixedClock
from tests.conftest import make_settings

ROOT = Path(__file__).resolve().parents[2]
WRITERS = 8
ACKS_BEFORE_KILL = 1_500  # past the first checkpoint after genesis (one per 1,000 records)


def _run_and_kill(database_url: str, data_dir: Path) -> tuple[set[str], set[str]]:
    """(acknowledged tags, tags begun but not acknowledged when the kill came)."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)])}
    proc = subprocess.Popen([sys.executable, "-m", "tests.integration.record_writer", database_url, str(data_dir),
                             str(WRITERS)], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    assert proc.stdout is not None
    lines: list[str] = []
    enough = threading.Event()

    def read() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.append(line.strip())
            if len(lines) % 100 == 0 and sum(ln.startswith("ack ") for ln in lines) >= ACKS_BEFORE_KILL:
                enough.set()
        enough.set()  # the writer ended by itself: the assertions below report it

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    enough.wait(timeout=240)
    alive = proc.poll() is None
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(10)
    reader.join(10)
    assert alive, f"the writer died before the kill:\n{proc.stderr.read() if proc.stderr else ''}"
    acked = {ln[4:] for ln in lines if ln.startswith("ack ")}
    begun = {ln[6:] for ln in lines if ln.startswith("begin ")}
    assert len(acked) >= ACKS_BEFORE_KILL, f"only {len(acked)} appends acknowledged before the deadline"
    return acked, begun - acked


def test_kill9_mid_batch_loses_nothing_acknowledged(tmp_path: Path, database_url: str) -> None:
    settings = make_settings(tmp_path, database_url)
    build_context(settings, clock=FixedClock(), engine=FakeFaceEngine()).close()  # schema and keys first

    acked, in_flight = _run_and_kill(database_url, settings.data_dir)
    assert in_flight, "the kill came when no unit was in flight; it proves nothing about a crash mid-batch"

    ctx = build_context(settings, clock=FixedClock(), engine=FakeFaceEngine())
    try:
        report = audit.verify_records(ctx.services)
        assert report.ok, report
        assert report.checkpoints_checked >= 2, report  # genesis and at least one more were signed
        with ctx.store.engine.connect() as conn:
            tags = Counter(str(r.detail.get("tag")) for r in conn.execute(select(t.audit_events.c.detail)))
            security = {str(r.detail.get("tag")) for r in conn.execute(select(t.security_events.c.detail))}
        assert report.checked == sum(tags.values())
        assert not acked - set(tags), f"acknowledged but lost: {sorted(acked - set(tags))[:10]}"
        assert max(tags.values()) == 1, "a record was written twice"
        mixed = {tag for tag in tags if int(tag[1:tag.index("-")]) % 2}
        assert mixed == security, "a unit's record and its security event did not commit together"

        with ctx.store.transaction() as tx:  # the restarted store continues the same chain
            tx.record.append(AuditEvent("verify", ctx.services.clock.now(), "k-crash", detail={"tag": "after"}))
        after = audit.verify_records(ctx.services)
        assert after.ok and after.checked == report.checked + 1, after
    finally:
        ctx.close()
