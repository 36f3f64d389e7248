"""Processing-record throughput: durable appends per second on SQLite and PostgreSQL with concurrent
writers, and `audit verify` over a 1,000,000-record chain streamed from each database.

Appends go through ``SqlStore.transaction`` and ``append_event`` exactly as the services
call them, one event per unit of work (each enroll, verify or consent is its own): units
that write nothing else (a verify) are group-committed with the units that end at the same
moment; units that also write (an enroll) link their record inside their own transaction.
A signed checkpoint every 1000 records either way. Each writer is a real thread whose unit
returns only once its commit is durable, so a batch holds at most as many records as there
are writers waiting: on PostgreSQL (synchronous_commit on) the rate is about
(records per batch) / (one commit's WAL flush), hence the run with 32 writers. Verification is `audit verify`
(``services.audit.verify_records``): head row, checkpoints, and the chain streamed through
the store's reader (a server-side cursor on PostgreSQL).

Targets (issue 14): >= 5,000 durable appends/s on both databases with concurrent writers;
verify 1,000,000 records in < 30 s streamed from each database. With ``--summary FILE`` it
writes its rows of the summary table (bench/summary.py).

    python bench/bench_audit.py --out docs/bench_audit.md [--summary FILE]
"""

from __future__ import annotations

import argparse
import os
import platform
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, text  # noqa: E402

from facegate.adapters.sql.store import SqlStore  # noqa: E402
from facegate.bootstrap import build_context  # noqa: E402
from facegate.domain.intrusion import SecurityEvent  # noqa: E402
from facegate.settings import Settings  # noqa: E402
from facegate.testing import FakeFaceEngine  # noqa: E402
from record_load import Loader, chain_chunks, make_event, timed_verify  # noqa: E402
from summary import row, write_summary  # noqa: E402

PG_ADMIN_URL = os.environ.get("FACEGATE_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
APPEND_TARGET = 5_000
VERIFY_TARGET_S = 30.0
VERIFY_TARGET_N = 1_000_000  # records verified within VERIFY_TARGET_S


# --- stores -------------------------------------------------------------------------------------

def make_context(url: str, data_dir: Path) -> Any:
    """The application's own store (schema, signing key) on ``url``, with the fake face engine."""
    return build_context(Settings(env="test", data_dir=data_dir, database_url=url, examples_dir=None),
                         engine=FakeFaceEngine())


def fresh_pg_database(admin_url: str) -> tuple[str, str]:
    name = "fg_bench_" + uuid.uuid4().hex[:10]
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return name, admin_url.rsplit("/", 1)[0] + "/" + name


def drop_pg_database(admin_url: str, name: str) -> None:
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def append_rate(store: SqlStore, n: int, per_tx: int, threads: int, mixed: bool) -> tuple[float, float]:
    """(events appended per wall second, per second of this process's CPU): ``n`` events, ``per_tx`` per
    unit of work, from ``threads`` writers; ``mixed`` units also write a security event. The CPU figure
    leaves out the PostgreSQL server's own work."""
    per_thread = n // threads
    errors: list[BaseException] = []

    def writer(offset: int) -> None:
        try:
            done = 0
            while done < per_thread:
                with store.transaction() as tx:
                    if mixed:
                        tx.security.add(SecurityEvent("bench", "low", None, "bench", None, datetime.now(UTC)))
                    for _ in range(min(per_tx, per_thread - done)):
                        tx.record.append(make_event(offset + done))
                        done += 1
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    workers = [threading.Thread(target=writer, args=(k * per_thread,)) for k in range(threads)]
    t0, c0 = time.perf_counter(), time.process_time()
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    elapsed, cpu = time.perf_counter() - t0, time.process_time() - c0
    if errors:
        raise errors[0]
    return per_thread * threads / elapsed, per_thread * threads / cpu


# --- report -------------------------------------------------------------------------------------

def machine() -> str:
    """CPU model, and the flags that matter here: SHA-256 in hardware, AES, vector widths."""
    try:
        lscpu = subprocess.run(["lscpu"], capture_output=True, text=True, check=False).stdout
    except OSError:
        lscpu = ""
    model = next((ln.split(":", 1)[1].strip() for ln in lscpu.splitlines() if ln.startswith("Model name")), "?")
    flags = next((ln.split(":", 1)[1].split() for ln in lscpu.splitlines() if ln.startswith("Flags")), [])
    shown = [f for f in ("sha_ni", "aes", "avx2", "avx512f", "avx512_vnni", "amx_tile") if f in flags]
    return (f"CPU: {model}, {os.cpu_count()} CPUs; flags: {' '.join(shown) or 'none of sha_ni/aes/avx2/avx512'}. "
            f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, "
            f"load average at start {os.getloadavg()[0]:.2f}")


def mark(ok: bool) -> str:
    return "meets target" if ok else "**below target**"


# store -> [(kind, writers, appends/s)], kind: "verify" (group commit), "enroll" (own transaction), "batch"
Runs = dict[str, list[tuple[str, int, float]]]


def append_rows(rates: Runs, skipped: dict[str, str]) -> list[dict[str, Any]]:
    """One row per store: met when units that write nothing but their record reach the target with
    concurrent writers; units that also write, and batches, are reported beside it."""
    rows = []
    for store, runs in rates.items():
        target = f"≥ {APPEND_TARGET:,} durable appends/s, {store}, concurrent writers, one event per unit of work"
        grouped = [(w, r) for kind, w, r in runs if kind == "verify"]
        if not grouped:
            rows.append(row("records", target, f"**not measured** ({skipped.get(store, 'no run')})", False))
            continue
        met = max(r for w, r in grouped if w > 1) >= APPEND_TARGET if any(w > 1 for w, _ in grouped) else False
        parts = [f"{r:,.0f}/s with {w} writer{'s' if w > 1 else ''}" for w, r in grouped]
        others = [f"{r:,.0f}/s for units that also write, {w} writers" for kind, w, r in runs if kind == "enroll"]
        others += [f"{r:,.0f}/s batched, 100 per unit" for kind, _, r in runs if kind == "batch"]
        rows.append(row("records", target, "; ".join(["read-only units (group commit): " + ", ".join(parts),
                                                      *others]), met))
    return rows


def verify_row(n: int, results: dict[str, float], skipped: dict[str, str]) -> dict[str, Any]:
    limit = VERIFY_TARGET_S * n / VERIFY_TARGET_N
    target = f"`audit verify` over {VERIFY_TARGET_N:,} records < {VERIFY_TARGET_S:g} s, streamed from each database"
    if n != VERIFY_TARGET_N:
        target += f" (here {n:,} records: < {limit:.3g} s)"
    figures = [(f"{s:.1f} s from {store}", s < limit) for store, s in results.items()]
    figures += [(f"not measured on {store} ({why})", False) for store, why in skipped.items()]
    return row("records", target, "; ".join(f if ok else f"**{f}**" for f, ok in figures),
               bool(figures) and all(ok for _, ok in figures))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--events", type=int, default=8_000, help="events per append run")
    ap.add_argument("--threads", type=int, nargs="+", default=[1, 4, 16, 32],
                    help="concurrent writers to try (32: within the server's 40 worker threads)")
    ap.add_argument("--pg-url", default=PG_ADMIN_URL, help="admin URL; a fresh database is created and dropped")
    ap.add_argument("--no-pg", action="store_true")
    ap.add_argument("--verify-n", type=int, default=VERIFY_TARGET_N, help="records in the verified chain (0: skip)")
    ap.add_argument("--out", type=Path)
    ap.add_argument("--summary", type=Path, help="also write the summary rows (JSON, see bench/summary.py) here")
    args = ap.parse_args()

    lines = ["## Processing-record benchmark", "", f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC.", "", machine(), ""]
    lines += ["### Durable appends per second", "",
              f"Target: >= {APPEND_TARGET:,} appends/s. `verify` units write nothing but their record "
              "(group commit); `enroll` units also write a row, and link their record in their own transaction; "
              "`batch` is 100 records in one unit. A signed checkpoint every 1000 records.", "",
              "| store | units | writers | events | appends/s (wall) | appends per client CPU-s | |",
              "|---|---|---:|---:|---:|---:|---|"]
    stores = {"SQLite": None} if args.no_pg else {"SQLite": None, "PostgreSQL": None}
    rates: Runs = {name: [] for name in ("SQLite", "PostgreSQL")}
    skipped = {"PostgreSQL": "--no-pg"} if args.no_pg else {}
    plan = [("verify", w, 1) for w in args.threads] + [("enroll", 4, 1), ("batch", 1, 100)]

    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)

        def open_store(name: str) -> tuple[Any, Callable[[], None]]:
            data = tmp / uuid.uuid4().hex[:8]
            if name == "SQLite":
                return make_context(f"sqlite:///{data}.db", data), lambda: None
            db, url = fresh_pg_database(args.pg_url)
            return make_context(url, data), lambda: drop_pg_database(args.pg_url, db)

        for name in list(stores):
            for kind, threads, per_tx in plan:
                try:
                    ctx, cleanup = open_store(name)
                except Exception as exc:  # noqa: BLE001 - PostgreSQL may be absent
                    skipped[name] = f"unavailable: {type(exc).__name__}"
                    del stores[name]
                    break
                try:
                    rate, cpu_rate = append_rate(ctx.store, args.events, per_tx, threads, kind == "enroll")
                    wall, _, report = timed_verify(ctx.services)
                    assert report.ok and report.checked == args.events // threads * threads, report
                    ctx.close()
                finally:
                    cleanup()
                rates[name].append((kind, threads, rate))
                lines.append(f"| {name} | {kind} | {threads} | {args.events:,} | {rate:,.0f} | {cpu_rate:,.0f} | "
                             f"{mark(rate >= APPEND_TARGET) if kind == 'verify' and threads > 1 else ''} |")
                print(lines[-1], file=sys.stderr)

        results: dict[str, float] = {}
        if args.verify_n:
            lines += ["", "### `audit verify` streamed from the database", "",
                      f"Target: {VERIFY_TARGET_N:,} records in < {VERIFY_TARGET_S:.0f} s. The chain (with a signed "
                      "checkpoint every 1000 records) is written straight into each database first.", "",
                      "| store | records | load s | verify s (wall) | verify s (client CPU) | records/s (wall) | |",
                      "|---|---:|---:|---:|---:|---:|---|"]
            opened = {name: open_store(name) for name in stores}
            loaders = {name: Loader(ctx.store.engine, ctx.store.signer) for name, (ctx, _) in opened.items()}
            load_s = dict.fromkeys(opened, 0.0)
            for chunk in chain_chunks(args.verify_n, ctx_hash(opened)):
                for name, loader in loaders.items():
                    t0 = time.perf_counter()
                    loader.load(chunk)
                    load_s[name] += time.perf_counter() - t0
            for name, (ctx, cleanup) in opened.items():
                try:
                    wall, cpu, report = timed_verify(ctx.services)
                    assert report.ok and report.checked == args.verify_n, report
                    results[name] = wall
                    limit = VERIFY_TARGET_S * args.verify_n / VERIFY_TARGET_N
                    lines.append(f"| {name} | {args.verify_n:,} | {load_s[name]:.0f} | {wall:.1f} | {cpu:.1f} | "
                                 f"{args.verify_n / wall:,.0f} | {mark(wall < limit)} |")
                    print(lines[-1], file=sys.stderr)
                    ctx.close()
                finally:
                    cleanup()

    lines += ["", f"Load average at the end: {os.getloadavg()[0]:.2f}. Wall figures on a shared, loaded machine "
              "understate what an idle one does; the CPU column shows the client side alone.", ""]
    out = "\n".join(lines)
    print(out)
    if args.out:
        args.out.write_text(out, encoding="utf-8")
    rows = append_rows({k: v for k, v in rates.items() if v or k in skipped}, skipped)
    if args.verify_n:
        rows.append(verify_row(args.verify_n, results, {k: v for k, v in skipped.items() if k not in results}))
    load = f" (load average {os.getloadavg()[0]:.1f} at the end)"
    write_summary(args.summary, [{**r, "measured": r["measured"] + load} for r in rows])


def ctx_hash(opened: dict[str, tuple[Any, Callable[[], None]]]) -> Any:
    """The chain hash the stores use (the same setting for all)."""
    ctx = next(iter(opened.values()))[0]
    return ctx.store.hash_fn


if __name__ == "__main__":
    main()
