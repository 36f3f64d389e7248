"""A long IVF build reports its progress: the callback counts every vector, the background build logs."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pytest

from facegate.adapters import ivf
from facegate.adapters.index import GalleryIndex
from facegate.adapters.ivf import ApproximateIndex

D = 128


def _unit(rng: np.random.Generator, n: int) -> np.ndarray:
    x = rng.normal(size=(n, D)).astype(np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def test_add_reports_every_filed_vector(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ivf, "ADD_CHUNK", 700)  # several steps
    x = _unit(np.random.default_rng(1), 3000)
    ann = ApproximateIndex(D, nlist=64)
    ann.train(x)
    steps: list[int] = []
    ann.add([f"t{i}" for i in range(len(x))], x, progress=steps.append)
    assert steps == [700, 700, 700, 700, 200] and len(ann) == 3000
    assert int(ann._index.quantizer.this) == int(ann._centroids.this)  # searches rank all centroids again


def test_background_build_logs_progress(caplog: pytest.LogCaptureFixture) -> None:
    x = _unit(np.random.default_rng(2), 3000)
    gallery = GalleryIndex(D, approximate_above=1000)
    with caplog.at_level(logging.INFO, logger="facegate.index"):
        gallery.add([f"t{i}" for i in range(len(x))], x)
        assert gallery.wait_until_built(120)
    messages = [r.getMessage() for r in caplog.records]
    assert any(m.startswith("IVF build: training") for m in messages)
    assert "filed 3000 of 3000 templates" in messages[-1]


def test_a_saved_index_reads_back_and_keeps_working(tmp_path: Path) -> None:
    """bench_index --save/--load: same answers after reading, and adds and removals still work."""
    x = _unit(np.random.default_rng(3), 3000)
    ids = [f"t{i}" for i in range(len(x))]
    ann = ApproximateIndex(D, nlist=64, nprobe=64)
    ann.train(x)
    ann.add(ids, x)
    ann.write(str(tmp_path / "ivf.faiss"))
    back = ApproximateIndex.read(str(tmp_path / "ivf.faiss"), ids, nprobe=64)
    assert len(back) == 3000 and back.nlist == 64
    assert back.search_many(x[:20], 5) == ann.search_many(x[:20], 5)
    back.add(["again"], x[7:8])
    back.remove(["t7"])
    assert [m[0] for m in back.search(x[7], 2)][0] == "again" and len(back) == 3000
    with pytest.raises(Exception):
        ApproximateIndex.read(str(tmp_path / "missing.faiss"), ids)


def test_default_probes_follow_the_measured_coverage_curve() -> None:
    """12 sqrt(lists): every list holding 99.7% of the true top 5 at 1M (4,096 lists) and 10M (16,384)."""
    assert ivf.probes_for(4096) == 768 and ivf.probes_for(16384) == 1536
    assert GalleryIndex(D).probe_factor == 12.0
    assert ivf.probes_for(64, 1e6) == 64  # never more lists than there are
