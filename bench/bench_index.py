"""Benchmark the 1:N gallery indexes on synthetic face-like templates (bench/face_like.py: clustered).

(Exact 1:N, its kernels and its memory: bench/bench_scan.py.)

  * approximate (FAISS IVF-PQ fast scan, ``adapters/ivf.py``) over --ann-n templates:
    build time and memory, then a recall curve: for each nprobe, recall@5 against the
    exact top 5 and p50/p95 of GalleryIndex's path (IVF candidates re-ranked by exact
    distance); marks the default setting and the smallest nprobe with recall@5 >= 0.99;
  * cold start: unseal --cold-n AES-256-GCM sealed templates and build the exact index.

Probe queries are enrolled templates seen again (template + noise), as in identification;
templates of other populations (clusters the gallery lacks; the hardest case for IVF) too.

A 10M build takes long on a small machine, so it can be saved and measured later:

    .venv/bin/python bench/bench_index.py --skip cold --ann-n 10000000 --save DIR   # build, save, measure
    .venv/bin/python bench/bench_index.py --skip cold --load DIR                    # measure only

DIR receives the FAISS index, the queries, their exact top-5 and meta.json (no templates:
they are regenerated from the seed). Data, never to be committed.
"""

from __future__ import annotations

import argparse
import gc
import importlib.metadata
import json
import os
import platform
import time
from pathlib import Path

import numpy as np
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

import face_like
from facegate.adapters.index import ApproximateIndex, ExactIndex
from facegate.adapters.ivf import TRAIN_PER_LIST, lists_for
from summary import row, write_summary

SUMMARY: list[dict] = []  # rows for docs/benchmarks.md's summary table (bench/summary.py)

D = face_like.D


def rss_bytes() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


def pct(xs: list[float], q: float) -> float:
    return float(np.percentile(xs, q)) * 1e3


def build_ann(n: int, queries: int, k: int, seed: int, nlist: int) -> tuple[ApproximateIndex, dict, dict, np.ndarray]:
    """Train and fill an IVF index over n templates: (index, queries with exact top-k, build facts, templates)."""
    x = face_like.clustered(n, seed + 10)
    ids = [f"t{i}" for i in range(n)]
    gc.collect()
    before = rss_bytes()
    nlist = nlist or lists_for(n)
    index = ApproximateIndex(D, nlist=nlist)
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns) as bar:
        task = bar.add_task(f"IVF train ({nlist:,} lists)", total=None)
        t = time.perf_counter()
        index.train(x)
        train_s = time.perf_counter() - t
        bar.update(task, total=1, completed=1)
        task = bar.add_task("IVF add", total=n)
        t = time.perf_counter()
        index.add(ids, x, progress=lambda filed: bar.advance(task, filed))
        add_s = time.perf_counter() - t
    del ids
    gc.collect()
    qs = {"probe": face_like.probes(x, queries, seed + 11), "random": face_like.clustered(queries, seed + 12)}
    t = time.perf_counter()
    truth = face_like.brute_topk(x, np.concatenate([qs["probe"], qs["random"]]), k, chunk=250_000)
    print(f"exact top-{k} of {2 * queries} queries by float64 brute force: {time.perf_counter() - t:.0f} s")
    data = {**qs, "truth_probe": truth[:queries], "truth_random": truth[queries:]}
    meta = {"n": n, "seed": seed, "nlist": nlist, "train_s": train_s, "add_s": add_s,
            "rss_growth": rss_bytes() - before, "load_avg": os.getloadavg()[0],
            "built": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}
    return index, data, meta, x


def bench_ann(args: argparse.Namespace) -> list[str]:
    k, saved = args.k, Path(args.load or args.save or ".")
    if args.load:
        meta = json.loads((saved / "meta.json").read_text())
        data = dict(np.load(saved / "queries.npz"))
        t = time.perf_counter()
        before = rss_bytes()
        index = ApproximateIndex.read(str(saved / "ivf.faiss"), [f"t{i}" for i in range(meta["n"])])
        print(f"loaded {meta['n']:,} in {time.perf_counter() - t:.0f} s, "
              f"RSS +{(rss_bytes() - before) / 2**20:,.0f} MiB", flush=True)
        x = face_like.clustered(meta["n"], meta["seed"] + 10)  # exact rows for the re-rank, as GalleryIndex has
    else:
        index, data, meta, x = build_ann(args.ann_n, args.queries, k, args.seed, args.nlist)
        if args.save:
            saved.mkdir(parents=True, exist_ok=True)
            index.write(str(saved / "ivf.faiss"))
            np.savez(saved / "queries.npz", **data)
            (saved / "meta.json").write_text(json.dumps(meta, indent=1) + "\n")
    n, nlist, default = meta["n"], meta["nlist"], index.nprobe
    nprobes = sorted({default, *([int(p) for p in args.nprobes.split(",")] if args.nprobes else
                                 [round(default * f) for f in (0.5, 0.75, 1.25, 1.5)])})
    rows, chosen, at_default = [], None, (0.0, 0.0)
    for label in ("probe", "random"):
        qs, truth = data[label], [set(t.tolist()) for t in data[f"truth_{label}"]]
        for nprobe in nprobes:
            index.nprobe = nprobe
            index.search(qs[0], k)
            lat, raw, hits = [], 0, 0
            for j, q in enumerate(qs):
                t = time.perf_counter()  # GalleryIndex's path: k*oversample candidates, ranked exactly
                cand = np.array([int(m[0][1:]) for m in index.search(q, k * args.oversample)])
                diff = x[cand] - q
                top = cand[np.argsort(np.einsum("ij,ij->i", diff, diff))[:k]]
                lat.append(time.perf_counter() - t)
                raw += len(truth[j] & set(cand[:k].tolist()))
                hits += len(truth[j] & set(top.tolist()))
            recall = hits / (k * len(qs))
            rows.append(f"| {label} | {nprobe}{' default' if nprobe == default else ''} ({nprobe / nlist:.1%}) "
                        f"| {raw / (k * len(qs)):.4f} | {recall:.4f} | {pct(lat, 50):.2f} | {pct(lat, 95):.2f} |")
            print(rows[-1], flush=True)
            if label == "probe" and chosen is None and recall >= 0.99:
                chosen = (nprobe, recall, pct(lat, 50), pct(lat, 95))
            if label == "probe" and nprobe == default:
                at_default = (recall, pct(lat, 50))
    per_m, build = 1e6 / n, meta["train_s"] + meta["add_s"]
    out = [
        f"### Approximate index (FAISS IVF-PQ64x4 fast scan, {nlist:,} lists), {n:,} templates",
        "",
        f"Build ({meta['built']}, load average {meta['load_avg']:.1f}): train {meta['train_s']:.0f} s (k-means on "
        f"{min(n, TRAIN_PER_LIST * nlist):,} vectors), add {meta['add_s']:.0f} s ({n / meta['add_s']:,.0f} vectors/s). "
        f"Process RSS growth {meta['rss_growth'] / 2**20:,.0f} MiB ({meta['rss_growth'] * per_m / 2**20:.0f} MiB per "
        f"million, string ids included); numeric state {index.nbytes * per_m / 2**20:.0f} MiB per million.",
        "",
        f"Recall@{k} against the exact top {k} (float64 brute force). Raw: the IVF's own first {k} (4-bit PQ "
        f"distances); re-ranked: GalleryIndex's path (IVF top {k * args.oversample}, ranked by exact distance), "
        f"whose latency is shown. {faiss_threads()} FAISS threads.",
        "",
        f"| queries | nprobe (share of lists) | recall@{k} raw | recall@{k} re-ranked | p50 ms | p95 ms |",
        "| --- | --- | --- | --- | --- | --- |",
        *rows,
        "",
    ]
    target = f"approximate top-{k} at 10,000,000, p50 < 10 ms at recall@{k} >= 0.99 (default setting)"
    met = at_default[0] >= 0.99 and at_default[1] < 10 and n >= 10_000_000
    figure = f"recall@{k} {at_default[0]:.4f} at p50 {at_default[1]:.2f} ms (default nprobe {default} of {nlist:,})"
    SUMMARY.append(row("1:N", target, f"{figure} over {n:,}" if met else f"**{figure}** over {n:,}", met))
    if chosen:
        out.append(f"Smallest nprobe with probe recall@{k} >= 0.99: {chosen[0]} (recall {chosen[1]:.4f}, "
                   f"p50 {chosen[2]:.2f} ms, p95 {chosen[3]:.2f} ms).")
    else:
        out.append(f"No nprobe tried reached probe recall@{k} >= 0.99.")
    SUMMARY.append(row("1:N", f"build the approximate index over {n:,} (exact search serves meanwhile)",
                       f"{build:.0f} s (train {meta['train_s']:.0f} s, add {meta['add_s']:.0f} s), "
                       f"{meta['rss_growth'] * per_m / 2**20:.0f} MiB per million", None))
    out.append("")
    return out


def faiss_threads() -> int:
    import faiss

    return int(faiss.omp_get_max_threads())


def bench_cold(n: int, seed: int) -> list[str]:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    rng = np.random.default_rng(seed + 20)
    kek = AESGCM(AESGCM.generate_key(bit_length=256))
    x = face_like.clustered(n, seed + 21)
    sealed: list[tuple[str, bytes, bytes, bytes, bytes, bytes]] = []
    t = time.perf_counter()
    for i in range(n):
        dk = rng.bytes(32)
        kn, tn = rng.bytes(12), rng.bytes(12)
        aad = f"dep-1|subject-{i}|purpose-access".encode()
        wrapped = kek.encrypt(kn, dk, b"kek")
        sealed.append((f"t{i}", kn, wrapped, tn, AESGCM(dk).encrypt(tn, x[i].tobytes(), aad), aad))
    seal_s = time.perf_counter() - t
    del x
    gc.collect()

    t = time.perf_counter()
    ids: list[str] = []
    buf = np.empty((n, D), dtype=np.float32)
    for j, (id_, kn, wrapped, tn, blob, aad) in enumerate(sealed):
        dk = kek.decrypt(kn, wrapped, b"kek")
        buf[j] = np.frombuffer(AESGCM(dk).decrypt(tn, blob, aad), dtype=np.float32)
        ids.append(id_)
    decrypt_s = time.perf_counter() - t
    t = time.perf_counter()
    index = ExactIndex(D, capacity=n)
    index.add(ids, buf)
    build_s = time.perf_counter() - t
    assert len(index) == n
    SUMMARY.append(row("1:N", "cold start: unseal and index 1,000,000 templates < 20 s",
                       f"{decrypt_s + build_s:.1f} s for {n:,} (database read not included)",
                       decrypt_s + build_s < 20 and n >= 1_000_000))
    return [
        f"### Cold start, {n:,} sealed templates",
        "",
        "| Step | Time |",
        "| --- | --- |",
        f"| (setup, not part of cold start) seal {n:,} templates | {seal_s:.1f} s |",
        f"| unwrap {n:,} data keys + AES-256-GCM open {n:,} x 512-byte templates | {decrypt_s:.1f} s "
        f"({decrypt_s / n * 1e6:.1f} µs each) |",
        f"| build the exact index | {build_s:.2f} s |",
        f"| **total** | **{decrypt_s + build_s:.1f} s** |",
        "",
        "Reading the rows from the database is not included.",
        "",
    ]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--ann-n", type=int, default=10_000_000)
    ap.add_argument("--nlist", type=int, default=0, help="IVF lists (0 = what GalleryIndex would pick)")
    ap.add_argument("--nprobes", default="", help="lists to probe, comma list (default: around the default "
                    "setting, which is always added)")
    ap.add_argument("--oversample", type=int, default=100, help="IVF candidates per result re-ranked exactly")
    ap.add_argument("--save", help="after building, save the IVF index, queries and exact answers here")
    ap.add_argument("--load", help="measure an index saved by --save instead of building one")
    ap.add_argument("--cold-n", type=int, default=1_000_000)
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--k", type=int, default=5)
    ap.add_argument("--seed", type=int, default=1234)
    ap.add_argument("--skip", default="", help="comma list of parts to skip: ann,cold")
    ap.add_argument("--out", help="also write the Markdown section to this file")
    ap.add_argument("--summary", help="write the summary rows (JSON, see bench/summary.py) to this file")
    args = ap.parse_args()
    skip = set(filter(None, args.skip.split(",")))
    lines = [
        "## 1:N index benchmark",
        "",
        f"{face_like.describe()}; {os.cpu_count()} CPUs ({platform.machine()}); numpy {np.__version__}; "
        f"faiss-cpu {importlib.metadata.version('faiss-cpu')}; onnxruntime {importlib.metadata.version('onnxruntime')}.",
        "",
    ]

    def emit(part: list[str]) -> None:
        lines.extend(part)
        print("\n".join(part), flush=True)

    if "cold" not in skip:
        emit(bench_cold(args.cold_n, args.seed))
        gc.collect()
    if "ann" not in skip:
        emit(bench_ann(args))
    lines.append(f"Load average at the end: {os.getloadavg()[0]:.2f}.")
    if args.out:
        Path(args.out).write_text("\n".join(lines) + "\n")
    write_summary(args.summary, SUMMARY)


if __name__ == "__main__":
    main()
