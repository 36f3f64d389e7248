"""Benchmark the 1:N gallery indexes on synthetic 128-d unit vectors.

  * exact top-5 over --exact-n templates (default 1,000,000): p50/p95 latency and
    a recall check against an independent float64 brute force;
  * approximate (usearch HNSW) over --ann-n templates: for each expansion_search,
    recall@5 against the exact answer and p50/p95 latency; reports the smallest
    setting with recall@5 >= 0.99;
  * resident memory per million templates (exact index);
  * cold start: decrypt --cold-n AES-256-GCM sealed 512-byte templates (each
    under its own data key, unwrapped from a key-encryption key) and build the
    exact index.

Probe queries are enrolled vectors seen again (vector + noise, renormalised),
as in identification; random queries (the hardest case for HNSW) are reported too.

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

from facegate.adapters.index import ApproximateIndex, ExactIndex

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
    rng = np.random.default_rng(seed)
    scales = _scales()
    out = np.empty((n, D), dtype=np.float32)
    for i in range(0, n, chunk):
        x = rng.standard_normal((min(chunk, n - i), D), dtype=np.float32) * scales
        x /= np.linalg.norm(x, axis=1, keepdims=True)
        out[i:i + len(x)] = x
    return out


def probes(x: np.ndarray, m: int, seed: int, noise: float = 0.5) -> np.ndarray:
    rng = np.random.default_rng(seed)
    base = x[rng.choice(len(x), m, replace=False)]
    e = rng.standard_normal(base.shape, dtype=np.float32) * _scales()
    q = base + noise * e / np.linalg.norm(e, axis=1, keepdims=True)
    return q / np.linalg.norm(q, axis=1, keepdims=True)


def brute_topk(x: np.ndarray, qs: np.ndarray, k: int, chunk: int = 2_000_000) -> np.ndarray:
    """Exact top-k row numbers, float64 distances, independent of the index code."""
    best_d = np.full((len(qs), k), np.inf)
    best_i = np.zeros((len(qs), k), dtype=np.int64)
    q64 = qs.astype(np.float64)
    for s in range(0, len(x), chunk):
        part = x[s:s + chunk].astype(np.float64)
        d = (part * part).sum(1)[None, :] + (q64 * q64).sum(1)[:, None] - 2 * q64 @ part.T
        idx = np.argpartition(d, k - 1, axis=1)[:, :k]
        dd = np.take_along_axis(d, idx, 1)
        all_d = np.concatenate([best_d, dd], 1)
        all_i = np.concatenate([best_i, idx + s], 1)
        o = np.argsort(all_d, 1)[:, :k]
        best_d, best_i = np.take_along_axis(all_d, o, 1), np.take_along_axis(all_i, o, 1)
    return best_i


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
    truth = brute_topk(x, qs[:n_check], k)
    recall = np.mean([len({f"t{i}" for i in truth[j]} & set(got[j])) / k for j in range(n_check)])
    t = time.perf_counter()
    index.search_many(qs, k)
    batch_ms = (time.perf_counter() - t) / len(qs) * 1e3
    per_m = 1e6 / n
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


def bench_ann(n: int, queries: int, k: int, seed: int, efs: list[int], dtype: str,
              connectivity: int, expansion_add: int, threads: int, oversample: int) -> list[str]:
    x = unit_vectors(n, seed + 10)
    gc.collect()
    before = rss_bytes()
    index = ApproximateIndex(D, connectivity=connectivity, expansion_add=expansion_add, dtype=dtype,
                             threads=threads)
    t = time.perf_counter()
    step = 500_000
    for s in range(0, n, step):
        index.add([f"t{i}" for i in range(s, min(n, s + step))], x[s:s + step])
        print(f"  ann build {min(n, s + step):,}/{n:,} {time.perf_counter() - t:.0f}s", flush=True)
    build_s = time.perf_counter() - t
    gc.collect()
    ann_rss = rss_bytes() - before
    rows = []
    chosen = None
    for label, qs in (("probe", probes(x, queries, seed + 11)), ("random", unit_vectors(queries, seed + 12))):
        truth = brute_topk(x, qs, k)
        truth_ids = [{f"t{i}" for i in row} for row in truth]
        truth_top1 = [f"t{row[0]}" for row in truth]
        for ef in efs:
            index.expansion_search = ef
            index.search(qs[0], k)
            lat, hits, lat_rr, hits_rr, top1 = [], 0, [], 0, 0
            for j, q in enumerate(qs):
                t = time.perf_counter()
                res = index.search(q, k)
                lat.append(time.perf_counter() - t)
                hits += len(truth_ids[j] & {m[0] for m in res})
                top1 += bool(res) and res[0][0] == truth_top1[j]
                # GalleryIndex's path: k*oversample candidates, ranked by exact distance
                t = time.perf_counter()
                cand = np.array([int(m[0][1:]) for m in index.search(q, k * oversample)])
                diff = x[cand] - q
                top = cand[np.argsort(np.einsum("ij,ij->i", diff, diff))[:k]]
                lat_rr.append(time.perf_counter() - t)
                hits_rr += len(truth_ids[j] & {f"t{i}" for i in top})
            recall, recall_rr = hits / (k * len(qs)), hits_rr / (k * len(qs))
            rows.append(f"| {label} | {ef} | {top1 / len(qs):.3f} | {recall:.4f} | {pct(lat, 50):.2f} | {pct(lat, 95):.2f} "
                        f"| {recall_rr:.4f} | {pct(lat_rr, 50):.2f} | {pct(lat_rr, 95):.2f} |")
            if label == "probe" and chosen is None and recall_rr >= 0.99:
                chosen = (ef, recall_rr, pct(lat_rr, 50), pct(lat_rr, 95))
            print(rows[-1], flush=True)
    per_m = 1e6 / n
    out = [
        f"### Approximate index (usearch HNSW, {dtype}, M={connectivity}, ef_add={expansion_add}), {n:,} templates",
        "",
        f"Build: {build_s:.0f} s ({n / build_s:,.0f} vectors/s). usearch memory_usage {index.nbytes / 2**20:.0f} MiB; "
        f"process RSS growth {ann_rss / 2**20:.0f} MiB ({ann_rss * per_m / 2**20:.0f} MiB per million, ids included).",
        "",
        f"Columns: raw HNSW top-{k}; then GalleryIndex's path (HNSW top-{k * oversample}, exact re-rank).",
        "",
        f"| queries | expansion_search | top-1 correct | recall@{k} | p50 ms | p95 ms "
        f"| recall@{k} re-ranked | p50 ms | p95 ms |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
        *rows,
        "",
    ]
    if chosen:
        out.append(f"Smallest expansion_search with probe recall@5 >= 0.99 (re-ranked path): {chosen[0]} "
                   f"(recall {chosen[1]:.4f}, p50 {chosen[2]:.2f} ms, p95 {chosen[3]:.2f} ms).")
    else:
        out.append("No expansion_search tried reached probe recall@5 >= 0.99.")
    out.append("")
    return out


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
    ap.add_argument("--ann-dtype", default="f32", choices=["f32", "f16", "i8"])
    ap.add_argument("--connectivity", type=int, default=16)
    ap.add_argument("--expansion-add", type=int, default=128)
    ap.add_argument("--efs", default="32,64,128,256,512,1024")
    ap.add_argument("--ann-threads", type=int, default=0, help="usearch threads (0 = all cores)")
    ap.add_argument("--oversample", type=int, default=4)
    ap.add_argument("--cold-n", type=int, default=1_000_000)
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--k", type=int, default=5)
    ap.add_argument("--spectrum", choices=["isotropic", "face"], default="isotropic",
                    help="isotropic unit vectors, or a decaying face-like spectrum (see FACE_ALPHA)")
    ap.add_argument("--face-alpha", type=float, default=0.85)
    ap.add_argument("--seed", type=int, default=1234)
    ap.add_argument("--skip", default="", help="comma list of parts to skip: exact,ann,cold")
    ap.add_argument("--out", help="also write the Markdown section to this file")
    args = ap.parse_args()
    skip = set(filter(None, args.skip.split(",")))
    globals().update(SPECTRUM=args.spectrum, FACE_ALPHA=args.face_alpha)

    lines = [
        "## 1:N index benchmark",
        "",
        f"Synthetic {D}-d unit vectors ({args.spectrum}"
        f"{f', variance of component i ~ i^-{args.face_alpha:g}' if args.spectrum == 'face' else ''}); "
        f"{os.cpu_count()} CPUs ({platform.machine()}); numpy {np.__version__}; "
        f"usearch {importlib.metadata.version('usearch')}.",
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
        efs = [int(e) for e in args.efs.split(",")]
        emit(bench_ann(args.ann_n, args.queries, args.k, args.seed, efs, args.ann_dtype,
                       args.connectivity, args.expansion_add, args.ann_threads, args.oversample))
    lines.append(f"Load average at the end: {os.getloadavg()[0]:.2f}.")
    text = "\n".join(lines)
    if args.out:
        Path(args.out).write_text(text + "\n")


if __name__ == "__main__":
    main()
