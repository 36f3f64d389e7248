"""Synthetic face-like templates for the 1:N benchmarks: clustered unit vectors with a face spectrum.

How they resemble dlib face descriptors (128-d, compared by Euclidean distance):

- a decaying spectrum: the variance of component i falls like i**-0.85, as the PCA
  spectrum of dlib descriptors of the LFW dev photos does (participation ratio ~30);
- clusters: every template belongs to one of ``GROUPS`` groups (think of populations,
  age bands, capture conditions); half of a template's variance is its group's mean,
  half its own, so the gallery is lumpy the way real galleries are, which is what an
  IVF index's lists must follow;
- unit length, as the model's outputs are close to;
- probes are enrolled templates seen again: template + noise of relative norm 0.5
  along the same spectrum, renormalised (identification, not random points).

Generated in chunks so that 10,000,000 x 128 float32 (5 GB) needs no second copy.
"""

from __future__ import annotations

import numpy as np

D = 128
FACE_ALPHA = 0.85
GROUPS = 4096
GROUP_SHARE = 0.5  # share of a template's variance that is its group's mean


def spectrum() -> np.ndarray:
    return (np.arange(1, D + 1, dtype=np.float32) ** (-FACE_ALPHA / 2)).astype(np.float32)


def describe() -> str:
    return (f"synthetic face-like templates: {D}-d unit vectors, variance of component i ~ i^-{FACE_ALPHA:g}, "
            f"{GROUPS:,} clusters holding {GROUP_SHARE:.0%} of the variance (bench/face_like.py)")


def clustered(n: int, seed: int, chunk: int = 1_000_000) -> np.ndarray:
    rng = np.random.default_rng(seed)
    scales = spectrum()
    means = rng.standard_normal((GROUPS, D), dtype=np.float32) * scales * np.float32(np.sqrt(GROUP_SHARE))
    out = np.empty((n, D), dtype=np.float32)
    own = np.float32(np.sqrt(1 - GROUP_SHARE))
    for i in range(0, n, chunk):
        m = min(chunk, n - i)
        x = rng.standard_normal((m, D), dtype=np.float32) * scales * own
        x += means[rng.integers(0, GROUPS, m)]
        x /= np.linalg.norm(x, axis=1, keepdims=True)
        out[i:i + m] = x
    return out


def probes(x: np.ndarray, m: int, seed: int, noise: float = 0.5) -> np.ndarray:
    rng = np.random.default_rng(seed)
    base = x[rng.choice(len(x), m, replace=False)]
    e = rng.standard_normal(base.shape, dtype=np.float32) * spectrum()
    q = base + noise * e / np.linalg.norm(e, axis=1, keepdims=True)
    return (q / np.linalg.norm(q, axis=1, keepdims=True)).astype(np.float32)


def brute_topk(x: np.ndarray, qs: np.ndarray, k: int, chunk: int = 1_000_000) -> np.ndarray:
    """Exact top-k row numbers by float64 distance, independent of the index code."""
    best_d = np.full((len(qs), k), np.inf)
    best_i = np.zeros((len(qs), k), dtype=np.int64)
    q64 = qs.astype(np.float64)
    for s in range(0, len(x), chunk):
        part = x[s:s + chunk].astype(np.float64)
        d = (part * part).sum(1)[None, :] - 2 * q64 @ part.T
        idx = np.argpartition(d, k - 1, axis=1)[:, :k]
        all_d = np.concatenate([best_d, np.take_along_axis(d, idx, 1)], 1)
        all_i = np.concatenate([best_i, idx + s], 1)
        o = np.argsort(all_d, 1, kind="stable")[:, :k]
        best_d, best_i = np.take_along_axis(all_d, o, 1), np.take_along_axis(all_i, o, 1)
    return best_i
