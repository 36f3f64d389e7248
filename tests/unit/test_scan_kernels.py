"""The scan kernel is chosen by CPU features, and a setting overrides the choice."""

from __future__ import annotations

import numpy as np
import pytest

from facegate.adapters.index import ExactIndex
from facegate.adapters.scan_kernels import choose, cpu_flags

AVX2 = frozenset({"sse4_2", "avx", "avx2", "fma"})


@pytest.mark.parametrize("extra", [set(), {"avx512f", "avx512bw", "avx512_vnni"}, {"avx_vnni"}])
def test_one_query_streams_columns_and_batches_use_the_gemm(extra: set[str],
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """Measured side by side on AVX2 and on AVX-512 VNNI: columns for one query, rows for 16 (scan_kernels)."""
    monkeypatch.delenv("FACEGATE_SCAN_KERNEL", raising=False)
    plan = choose(AVX2 | extra)
    assert (plan.single, plan.batch) == ("columns", "rows")
    assert plan.kernel_for(1) == "columns" and plan.kernel_for(2) == plan.kernel_for(16) == "rows"
    assert all(flag in plan.describe() for flag in (extra & {"avx512_vnni", "avx_vnni"}) | {"avx2"})


def test_amx_uses_the_gemm_orientation_for_every_query(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FACEGATE_SCAN_KERNEL", raising=False)
    plan = choose(AVX2 | {"avx512f", "avx512bw", "avx512_vnni", "amx_int8"})
    assert (plan.single, plan.batch) == ("rows", "rows")
    assert "amx_int8" in plan.describe()


def test_setting_and_environment_override(monkeypatch: pytest.MonkeyPatch) -> None:
    assert choose(AVX2, override="rows").single == "rows"
    monkeypatch.setenv("FACEGATE_SCAN_KERNEL", "rows")
    assert choose(AVX2).batch == "rows"
    monkeypatch.setenv("FACEGATE_SCAN_KERNEL", "fastest")
    with pytest.raises(ValueError, match="auto, columns or rows"):
        choose(AVX2)


def test_this_cpu_reports_its_flags() -> None:
    assert cpu_flags()  # /proc/cpuinfo or numpy's detection; never empty on a real CPU


@pytest.mark.parametrize("kernel", ["columns", "rows"])
def test_each_forced_kernel_gives_the_exact_answer(kernel: str) -> None:
    rng = np.random.default_rng(4)
    x = rng.normal(size=(3000, 128)).astype(np.float32)
    index = ExactIndex(128, plan=choose(override=kernel))  # type: ignore[arg-type]
    index.add([f"t{i}" for i in range(len(x))], x)
    for q in rng.normal(size=(5, 128)).astype(np.float32):
        want = np.argsort(np.linalg.norm(x.astype(np.float64) - q, axis=1), kind="stable")[:5]
        assert [m[0] for m in index.search(q, 5)] == [f"t{i}" for i in want]
