"""A/B of record appends between two source trees, interleaved in one run (for a loaded machine).

Each round runs the same append workload once per tree, in turn, each in a fresh subprocess
(``PYTHONPATH=<tree>/src``) on a fresh store, through that tree's ``bench/bench_audit.append_rate``
(this one's if it has none; both time the same loop): real threads,
one event per unit of work, each unit acknowledged only once its commit returned. It reports per
tree the median over rounds of appends per wall second and per second of client CPU
(``time.process_time``, all threads; PostgreSQL's server work is not in it), and the ratio B/A.
On a shared machine the CPU figure and the ratio are the ones to trust.

    python bench/record_ab.py --a /work/main --b . --rounds 3 --runs verify:16 enroll:4 [--stores sqlite]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

_CHILD = """
import json, sys, tempfile, uuid
from pathlib import Path
sys.path.insert(0, {bench!r})
import bench_audit as b
store_kind, kind, threads, n = {store!r}, {kind!r}, {threads}, {n}
with tempfile.TemporaryDirectory() as tmp:
    data = Path(tmp) / uuid.uuid4().hex[:8]
    cleanup = lambda: None
    if store_kind == "sqlite":
        ctx = b.make_context(f"sqlite:///{{data}}.db", data)
    else:
        db, url = b.fresh_pg_database(b.PG_ADMIN_URL)
        cleanup = lambda: b.drop_pg_database(b.PG_ADMIN_URL, db)
        ctx = b.make_context(url, data)
    try:
        per_tx = 100 if kind == "batch" else 1
        b.append_rate(ctx.store, 200 * threads, 1, threads, kind == "enroll")  # warm up: imports, pool
        wall, cpu = b.append_rate(ctx.store, n, per_tx, threads, kind == "enroll")
        ctx.close()
    finally:
        cleanup()
print(json.dumps([wall, cpu]))
"""


def run_once(tree: Path, store: str, kind: str, threads: int, n: int) -> tuple[float, float]:
    bench = tree / "bench" if (tree / "bench" / "bench_audit.py").exists() else HERE  # the tree's own harness
    code = _CHILD.format(bench=str(bench), store=store, kind=kind, threads=threads, n=n)
    env = {**os.environ, "PYTHONPATH": str(tree / "src")}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False)
    if out.returncode:
        raise RuntimeError(f"{tree} {store} {kind}:{threads} failed:\n{out.stderr[-3000:]}")
    wall, cpu = json.loads(out.stdout.strip().splitlines()[-1])
    return wall, cpu


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--a", type=Path, required=True, help="tree A (e.g. /work/main)")
    ap.add_argument("--b", type=Path, required=True, help="tree B (e.g. this worktree)")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--events", type=int, default=4_000)
    ap.add_argument("--runs", nargs="+", default=["verify:1", "verify:4", "verify:16", "enroll:4"],
                    help="KIND:WRITERS, KIND one of verify (record only), enroll (also writes), batch")
    ap.add_argument("--stores", nargs="+", default=["sqlite", "postgresql"], choices=["sqlite", "postgresql"])
    args = ap.parse_args()
    print("| store | units | writers | A appends/s | B appends/s | A per CPU-s | B per CPU-s | B/A wall | B/A CPU |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    for store in args.stores:
        for spec in args.runs:
            kind, threads = spec.split(":")[0], int(spec.split(":")[1])
            got: dict[str, list[tuple[float, float]]] = {"a": [], "b": []}
            for _ in range(args.rounds):
                for name, tree in (("a", args.a), ("b", args.b)):
                    got[name].append(run_once(tree.resolve(), store, kind, threads, args.events))
            (aw, ac), (bw, bc) = ((statistics.median(x[0] for x in got[k]), statistics.median(x[1] for x in got[k]))
                                  for k in ("a", "b"))
            print(f"| {store} | {kind} | {threads} | {aw:,.0f} | {bw:,.0f} | {ac:,.0f} | {bc:,.0f} | "
                  f"{bw / aw:.2f} | {bc / ac:.2f} |", flush=True)


if __name__ == "__main__":
    main()
