"""A/B of `audit verify` between two source trees, interleaved in one run (for a loaded machine).

One chain of ``--n`` records is written into SQLite and PostgreSQL once (bench/record_load.py,
in the form the store writes; ``--legacy`` rewrites its JSON columns as json.dumps wrote them
before issue 14), then each round verifies it once per tree, in turn, each in a fresh subprocess
(``PYTHONPATH=<tree>/src``) through ``audit.verify_records``. Reports per tree and store the
median wall and client-CPU seconds (``time.process_time``; PostgreSQL's server work is not in
it) and the ratio B/A. On a shared machine the CPU figure and the ratio are the ones to trust.

    python bench/verify_ab.py --a /path/to/old/tree --b . --n 1000000 --rounds 3 [--legacy] [--no-pg]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

_CHILD = """
import json, sys, time
sys.path.insert(0, {bench!r})
import bench_audit as b
from pathlib import Path
from facegate.services import audit
ctx = b.make_context({url!r}, Path({data!r}))
t0, c0 = time.perf_counter(), time.process_time()
r = audit.verify_records(ctx.services)
print(json.dumps([time.perf_counter() - t0, time.process_time() - c0, r.ok, r.checked]))
"""


def build(n: int, legacy: bool, pg: bool, tmp: Path) -> dict[str, tuple[str, str]]:
    """Write the chain once: store name -> (url, data dir). Needs this tree's bench modules."""
    import bench_audit as b
    from record_load import Loader, chain_chunks
    from sqlalchemy import text

    stores = {"SQLite": (f"sqlite:///{tmp}/chain.db", str(tmp / "s"))}
    if pg:
        _, url = b.fresh_pg_database(b.PG_ADMIN_URL)
        stores["PostgreSQL"] = (url, str(tmp / "p"))
    ctxs = {k: b.make_context(u, Path(d)) for k, (u, d) in stores.items()}
    loaders = [Loader(c.store.engine, c.store.signer) for c in ctxs.values()]
    for chunk in chain_chunks(n, next(iter(ctxs.values())).store.hash_fn):
        for loader in loaders:
            loader.load(chunk)
    for ctx in ctxs.values():
        if legacy:  # json.dumps' default text: spaces after separators, insertion order, \\u escapes
            with ctx.store.engine.begin() as conn:
                pg_cast = "::json" if ctx.store.engine.dialect.name == "postgresql" else ""
                rows = conn.execute(text("SELECT seq, reason_codes, detail FROM audit_events")).all()
                conn.execute(text(f"UPDATE audit_events SET reason_codes = CAST(:c AS TEXT){pg_cast}, "
                                  f"detail = CAST(:d AS TEXT){pg_cast} WHERE seq = :s"),
                             [{"s": s, "c": json.dumps(c if isinstance(c, list) else json.loads(c)),
                               "d": json.dumps(d if isinstance(d, dict) else json.loads(d))} for s, c, d in rows])
        ctx.close()
    return stores


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--a", type=Path, required=True)
    ap.add_argument("--b", type=Path, required=True)
    ap.add_argument("--n", type=int, default=200_000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--legacy", action="store_true")
    ap.add_argument("--no-pg", action="store_true")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmpdir:
        stores = build(args.n, args.legacy, not args.no_pg, Path(tmpdir))
        runs: dict[tuple[str, str], list[tuple[float, float]]] = {}
        for rnd in range(args.rounds):
            for store, (url, data) in stores.items():
                for label, tree in (("A", args.a), ("B", args.b)):
                    code = _CHILD.format(bench=str(HERE), url=url, data=data)
                    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                                         env={"PYTHONPATH": str(tree.resolve() / "src"), "PATH": "/usr/bin:/bin"})
                    wall, cpu, ok, checked = json.loads(out.stdout.strip().splitlines()[-1])
                    assert ok and checked == args.n, out.stdout
                    runs.setdefault((store, label), []).append((wall, cpu))
                    print(f"round {rnd + 1} {store} {label}: wall {wall:.2f} s, CPU {cpu:.2f} s", file=sys.stderr)
        print(f"| store | records | A wall s | A CPU s | B wall s | B CPU s | CPU B/A |\n|---|---:|---:|---:|---:|---:|---:|")
        for store in stores:
            a = [statistics.median(x) for x in zip(*runs[(store, "A")])]
            b = [statistics.median(x) for x in zip(*runs[(store, "B")])]
            print(f"| {store}{' (legacy text)' if args.legacy else ''} | {args.n:,} | {a[0]:.2f} | {a[1]:.2f} | "
                  f"{b[0]:.2f} | {b[1]:.2f} | {b[1] / a[1]:.2f} |")
        if "PostgreSQL" in stores:
            import bench_audit as b
            b.drop_pg_database(b.PG_ADMIN_URL, stores["PostgreSQL"][0].rsplit("/", 1)[1])


if __name__ == "__main__":
    main()
