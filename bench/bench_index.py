"""Benchmark the 1:N gallery indexes on synthetic 128-d unit vectors.

  * exact top-5 over --exact-n templates (default 1,000,000): p50/p95 latency and
    a recall check against an independent float64 brute force;
  * approximate (FAISS IVF-SQ8) over --ann-n templates: build time, and for each
    nprobe recall@5 against the exact answer and p50/p95 latency; reports the
    smallest setting with recall@5 >= 0.99;
  * resident memory per million templates (exact index);
  * cold start: decrypt --cold-n AES-256-GCM sealed 512-byte templates (each
    under its own data key, unwrapped from a key-encryption key) and build the
    exact index.

Probe queries are enrolled vectors seen again (vector + noise, renormalised),
as in identification; random queries (the hardest case for any ANN index) are reported too.

    .venv/bin/python bench/bench_index.py [--exact-n N] [--ann-n N] [--out FILE]
"""

from __future__ import annotations

import argparse
import gc
import importlib.metadata
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

D = 128


def rss_bytes() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


# Per-component standard deviations for "face-like" data: dlib descriptors of the
# LFW dev photos have a decaying PCA spectrum (variance of component i roughly
# proportional to i**-FACE_ALPHA); isotropic data has no neighbourhood structure at
# all and is the worst case for any graph index.
FACE_ALPHA = 0.85  # participation ratio ~30, as measured on 515 LFW descriptors
SPECTRUM = "isotropic"


def _scales() -> np.ndarray:
    if SPECTRUM == "isotropic":
        return np.ones(D, dtype=np.float32)
    return (np.arange(1, D + 1, dtype=np.float32) ** (-FACE_ALPHA / 2)).astype(np.float32)


def unit_vectors(n: int, seed: int, chunk: int = 1_000_000) -> np.ndarray:
    if SPECTRUM == "clustered":
        return face_like.clustered(n, seed, chunk)
    rng = np.random.default_rng(seed)
    scales = _scales()
    out = np.empty((n, D), dtype=np.float32)
    for i in range(0, n, chunk):
        x = rng.standard_normal((min(chunk, n - i), D), dtype=np.float32) * scales
        x /= np.linalg.norm(x, axis=1, keepdims=True)
        out[i:i + len(x)] = x
    return out


def probes(x: np.ndarray, m: int, seed: int, noise: float = 0.5) -> np.ndarray:
    if SPECTRUM == "clustered":
        return face_like.probes(x, m, seed, noise)
    rng = np.random.default_rng(seed)
    base = x[rng.choice(len(x), m, replace=False)]
    e = rng.standard_normal(base.shape, dtype=np.float32) * _scales()
    q = base + noise * e / np.linalg.norm(e, axis=1, keepdims=True)
    return q / np.linalg.norm(q, axis=1, keepdims=True)


def pct(xs: list[float], q: float) -> float:
    return float(np.percentile(xs, q)) * 1e3


def bench_exact(n: int, queries: int, k: int, seed: int) -> list[str]:
    x = unit_vectors(n, seed)
    ids = [f"t{i}" for i in range(n)]
    gc.collect()
    before = rss_bytes()
    t = time.perf_counter()
    index = ExactIndex(D, capacity=n)
    for s in range(0, n, 100_000):
        index.add(ids[s:s + 100_000], x[s:s + 100_000])
    build_s = time.perf_counter() - t
    gc.collect()
    index_rss = rss_bytes() - before
    qs = probes(x, queries, seed + 1)
    index.search(qs[0], k)
    lat, got = [], []
    for q in qs:
        t = time.perf_counter()
        got.append([m[0] for m in index.search(q, k)])
        lat.append(time.perf_counter() - t)
    n_check = min(queries, 50)
    truth = face_like.brute_topk(x, qs[:n_check], k)
    recall = np.mean([len({f"t{i}" for i in truth[j]} & set(got[j])) / k for j in range(n_check)])
    t = time.perf_counter()
    index.search_many(qs, k)
    batch_ms = (time.perf_counter() - t) / len(qs) * 1e3
    per_m = 1e6 / n
    p50, mib_per_m = pct(lat, 50), index_rss * per_m / 2**20
    SUMMARY.append(row("1:N", f"exact top-{k} over 1,000,000 templates, p50 < 25 ms, recall 1.0",
                       f"p50 {p50:.1f} ms one query at a time, {batch_ms:.1f} ms per query batched; "
                       f"recall {recall:.4f} over {n:,}", p50 < 25 and recall == 1.0 and n >= 1_000_000))
    SUMMARY.append(row("1:N", "resident memory per million templates (exact index) < 1 GiB",
                       f"{mib_per_m:.0f} MiB (float32 rows, int8 codes, ids)", mib_per_m < 1024))
    return [
        f"### Exact index, {n:,} templates",
        "",
        "| Measure | Value |",
        "| --- | --- |",
        f"| build (add in chunks of 100,000) | {build_s:.2f} s |",
        f"| top-{k} latency, one query | p50 {pct(lat, 50):.1f} ms, p95 {pct(lat, 95):.1f} ms ({queries} queries) |",
        f"| top-{k} latency, {queries} queries in one `search_many` | {batch_ms:.2f} ms per query |",
        f"| recall@{k} vs float64 brute force ({n_check} queries) | {recall:.4f} |",
        f"| resident memory of the index | {index_rss / 2**20:.0f} MiB, i.e. {index_rss * per_m / 2**20:.0f} MiB "
        f"per million (numeric state {index.nbytes * per_m / 2**20:.0f} MiB, rest is the id map) |",
        "",
    ]


def bench_ann(n: int, queries: int, k: int, seed: int, nprobes: list[int], nlist: int, oversample: int) -> list[str]:
    x = unit_vectors(n, seed + 10)
    ids = [f"t{i}" for i in range(n)]
    gc.collect()
    before = rss_bytes()
    nlist = nlist or lists_for(n)
    index = ApproximateIndex(D, nlist=nlist)
    default = index.nprobe  # what GalleryIndex would use (ivf.probes_for)
    nprobes = sorted({*nprobes, default})
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
    gc.collect()
    ann_rss = rss_bytes() - before
    rows = []
    chosen = None
    for label, qs in (("probe", probes(x, queries, seed + 11)), ("random", unit_vectors(queries, seed + 12))):
        truth = face_like.brute_topk(x, qs, k)
        truth_ids = [{f"t{i}" for i in row} for row in truth]
        for nprobe in nprobes:
            index.nprobe = nprobe
            index.search(qs[0], k)
            lat, hits, lat_rr, hits_rr = [], 0, [], 0
            for j, q in enumerate(qs):
                t = time.perf_counter()
                res = index.search(q, k)
                lat.append(time.perf_counter() - t)
                hits += len(truth_ids[j] & {m[0] for m in res})
                # GalleryIndex's path: k*oversample candidates, ranked by exact float32 distance
                t = time.perf_counter()
                cand = np.array([int(m[0][1:]) for m in index.search(q, k * oversample)])
                diff = x[cand] - q
                top = cand[np.argsort(np.einsum("ij,ij->i", diff, diff))[:k]]
                lat_rr.append(time.perf_counter() - t)
                hits_rr += len(truth_ids[j] & {f"t{i}" for i in top})
            recall, recall_rr = hits / (k * len(qs)), hits_rr / (k * len(qs))
            mark = " default" if nprobe == default else ""
            rows.append(f"| {label} | {nprobe}{mark} ({nprobe / nlist:.1%}) | {recall:.4f} | {pct(lat, 50):.2f} "
                        f"| {recall_rr:.4f} | {pct(lat_rr, 50):.2f} | {pct(lat_rr, 95):.2f} |")
            if label == "probe" and chosen is None and recall_rr >= 0.99:
                chosen = (nprobe, recall_rr, pct(lat_rr, 50), pct(lat_rr, 95))
            if label == "probe" and nprobe == default:
                at_default = (recall_rr, pct(lat_rr, 50))
            print(rows[-1], flush=True)
    per_m = 1e6 / n
    out = [
        f"### Approximate index (FAISS IVF-PQ64x4 fast scan, {nlist:,} lists), {n:,} templates",
        "",
        f"Build: train {train_s:.0f} s (k-means on {min(n, TRAIN_PER_LIST * nlist):,} vectors), "
        f"add {add_s:.0f} s ({n / add_s:,.0f} vectors/s). "
        f"Process RSS growth {ann_rss / 2**20:,.0f} MiB ({ann_rss * per_m / 2**20:.0f} MiB per million, "
        "string ids included).",
        "",
        f"Columns: raw IVF top-{k} (distances from the 4-bit PQ codes); then GalleryIndex's path "
        f"(IVF top-{k * oversample}, ranked by exact float32 distance). {faiss_threads()} FAISS threads.",
        "",
        f"| queries | nprobe (share of lists) | recall@{k} raw | p50 ms | recall@{k} re-ranked | p50 ms | p95 ms |",
        "| --- | --- | --- | --- | --- | --- | --- |",
        *rows,
        "",
    ]
    target = f"approximate top-{k} at 10,000,000, p50 < 10 ms at recall@{k} >= 0.99"
    if chosen:
        out.append(f"Smallest nprobe with probe recall@{k} >= 0.99 (re-ranked path): {chosen[0]} "
                   f"(recall {chosen[1]:.4f}, p50 {chosen[2]:.2f} ms, p95 {chosen[3]:.2f} ms).")
        met = chosen[2] < 10 and n >= 10_000_000
        figure = f"p50 {chosen[2]:.2f} ms at recall@{k} {chosen[1]:.4f} (nprobe {chosen[0]} of {nlist:,})"
        SUMMARY.append(row("1:N", target, f"{figure} over {n:,}" if met else f"**{figure}** over {n:,}", met))
    else:
        out.append(f"No nprobe tried reached probe recall@{k} >= 0.99.")
        SUMMARY.append(row("1:N", target, f"**recall@{k} < 0.99 at every nprobe tried** over {n:,}", False))
    SUMMARY.append(row("1:N", f"approximate index with the default setting (nprobe {default} of {nlist:,})",
                       f"recall@{k} {at_default[0]:.4f} at p50 {at_default[1]:.2f} ms over {n:,}", None))
    SUMMARY.append(row("1:N", f"build the approximate index over {n:,} (exact search serves meanwhile)",
                       f"{train_s + add_s:.0f} s (train {train_s:.0f} s, add {add_s:.0f} s)", None))
    out.append("")
    return out


def faiss_threads() -> int:
    import faiss

    return int(faiss.omp_get_max_threads())


def bench_cold(n: int, seed: int) -> list[str]:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    rng = np.random.default_rng(seed + 20)
    kek = AESGCM(AESGCM.generate_key(bit_length=256))
    x = unit_vectors(n, seed + 21)
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
    ap.add_argument("--exact-n", type=int, default=1_000_000)
    ap.add_argument("--ann-n", type=int, default=10_000_000)
    ap.add_argument("--nlist", type=int, default=0, help="IVF lists (0 = what GalleryIndex would pick)")
    ap.add_argument("--nprobes", default="512,768,1024,1536", help="lists to probe (the default setting is added)")
    ap.add_argument("--oversample", type=int, default=100, help="IVF candidates per result re-ranked exactly")
    ap.add_argument("--cold-n", type=int, default=1_000_000)
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--k", type=int, default=5)
    ap.add_argument("--spectrum", choices=["isotropic", "face", "clustered"], default="isotropic",
                    help="isotropic unit vectors, a decaying face-like spectrum (see FACE_ALPHA), or that "
                    "spectrum in clusters (bench/face_like.py)")
    ap.add_argument("--face-alpha", type=float, default=0.85)
    ap.add_argument("--seed", type=int, default=1234)
    ap.add_argument("--skip", default="", help="comma list of parts to skip: exact,ann,cold")
    ap.add_argument("--out", help="also write the Markdown section to this file")
    ap.add_argument("--summary", help="write the summary rows (JSON, see bench/summary.py) to this file")
    args = ap.parse_args()
    skip = set(filter(None, args.skip.split(",")))
    globals().update(SPECTRUM=args.spectrum, FACE_ALPHA=args.face_alpha)

    lines = [
        "## 1:N index benchmark",
        "",
        f"Synthetic {D}-d unit vectors ({args.spectrum}"
        f"{f', variance of component i ~ i^-{args.face_alpha:g}' if args.spectrum == 'face' else ''}"
        f"{f': {face_like.describe()}' if args.spectrum == 'clustered' else ''}); "
        f"{os.cpu_count()} CPUs ({platform.machine()}); numpy {np.__version__}; "
        f"faiss-cpu {importlib.metadata.version('faiss-cpu')}; onnxruntime {importlib.metadata.version('onnxruntime')}.",
        "",
    ]

    def emit(part: list[str]) -> None:
        lines.extend(part)
        print("\n".join(part), flush=True)

    if "exact" not in skip:
        emit(bench_exact(args.exact_n, args.queries, args.k, args.seed))
        gc.collect()
    if "cold" not in skip:
        emit(bench_cold(args.cold_n, args.seed))
        gc.collect()
    if "ann" not in skip:
        emit(bench_ann(args.ann_n, args.queries, args.k, args.seed, [int(p) for p in args.nprobes.split(",")],
                       args.nlist, args.oversample))
    lines.append(f"Load average at the end: {os.getloadavg()[0]:.2f}.")
    text = "\n".join(lines)
    if args.out:
        Path(args.out).write_text(text + "\n")
    write_summary(args.summary, SUMMARY)


if __name__ == "__main__":
    main()
