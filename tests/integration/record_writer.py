"""Appends to the processing record from concurrent writers until killed (run by test_record_crash.py).

    python -m tests.integration.record_writer DATABASE_URL DATA_DIR WRITERS

Even-numbered writers run units of work that only append (a verify: their records
are group-committed with other units'); odd-numbered ones also write a security
event in the same unit (their records are linked inside their own transaction).
Each unit prints ``begin TAG`` before it starts and ``ack TAG`` once the store has
returned from it, i.e. once its record is acknowledged as durable.
"""

from __future__ import annotations

import sys
import threading
from datetime import UTC, datetime
from pathlib import Path

from facegate.bootstrap import build_context
from facegate.domain.audit import AuditEvent
from facegate.domain.intrusion import SecurityEvent
from facegate.settings import Settings
from facegate.testing import FakeFaceEngine

_print_lock = threading.Lock()


def say(line: str) -> None:
    with _print_lock:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()


def main() -> None:
    url, data_dir, writers = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3])
    ctx = build_context(Settings(env="test", data_dir=data_dir, database_url=url, examples_dir=None),
                        engine=FakeFaceEngine())

    def writer(k: int) -> None:
        n = 0
        while True:
            n += 1
            tag = f"w{k}-{n}"
            say(f"begin {tag}")
            now = datetime.now(UTC)
            with ctx.store.transaction() as tx:
                if k % 2:
                    tx.security.add(SecurityEvent("crash_test", "info", None, "test", None, now, {"tag": tag}))
                tx.record.append(AuditEvent("verify", now, "k-crash", "front-desk", f"{k:064x}", True, ("ok",),
                                           {"tag": tag}))
            say(f"ack {tag}")

    threads = [threading.Thread(target=writer, args=(k,), daemon=True) for k in range(writers)]
    for th in threads:
        th.start()
    say("started")
    for th in threads:
        th.join()


if __name__ == "__main__":
    main()
