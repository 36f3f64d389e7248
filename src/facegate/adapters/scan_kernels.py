"""The int8 scan's kernels, and the choice between them by CPU features at start.

Both kernels are onnxruntime's ``MatMulInteger`` (MLAS: AVX2, AVX-512 BW, VNNI and
AMX paths, picked by onnxruntime itself) in one of two orientations:

- ``columns``: queries are the left operand (m, d) and the gallery the right one,
  stored as (d, BLOCK) column blocks; one query streams the gallery once.
- ``rows``: the gallery is the left operand (n, d), the queries the right one
  (d, m): a GEMM that packs only the queries.

Measured side by side, interleaved, in one process (bench/bench_scan.py, 1M
face-like templates; docs/benchmarks.md):

- AMD EPYC, AVX2 only (idle, 2026-11-29): one query ``columns`` 17.3 ms vs
  ``rows`` 56.3; 16 queries in one call ``rows`` 6.6 ms per query vs ``columns`` 7.6.
- AMD EPYC with AVX-512 VNNI (issue 14, a loaded machine, so CPU time and
  ratios only): one query ``columns`` 21 ms CPU vs ``rows`` 30 (1.4x); per
  query in one call of 2, 4 and 16 queries ``rows`` 20 / 13 / 7.3 ms vs
  ``columns`` 37 / 20 / 11 (a multi-query ``columns`` call packs every block).

So one query streams the gallery in ``columns`` and batches (from
``BATCH_ROWS_FROM`` queries) take the ``rows`` GEMM, keeping both layouts
(+128 MB per million). AMX (Intel) is the exception: its tile unit serves
only the GEMM, and the issue-14 profile there found ``columns`` reading only
4.9 GB/s for one query, so ``rows`` serves every query; that rule comes from
the issue's profile, not a measurement here. ``FACEGATE_SCAN_KERNEL``
(settings.scan_kernel) overrides the choice either way.

On AVX2 MLAS adds pairs of u8*s8 products in saturating int16 (vpmaddubsw),
so the query side keeps to 7 bits in both orientations: 2 * 127 * 127 and
2 * 255 * 63 both stay below 32767.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

KernelName = Literal["columns", "rows"]
Choice = Literal["auto", "columns", "rows"]
_KERNELS: dict[str | None, KernelName] = {"columns": "columns", "rows": "rows"}
BATCH_ROWS_FROM = 2  # queries per call from which the batch kernel serves (2 and 4 measured: rows ahead)
_VNNI = ("avx512_vnni", "avx_vnni")  # int8 dot-product instructions (reported in the plan)


def cpu_flags() -> frozenset[str]:
    """The CPU's feature flags (Linux /proc/cpuinfo; numpy's detection elsewhere)."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("flags"):
                return frozenset(line.split(":", 1)[1].split())
    except OSError:
        pass
    import importlib

    # numpy's own detection lives in a private module that ships no type information.
    features: dict[str, bool] = importlib.import_module("numpy._core._multiarray_umath").__cpu_features__
    return frozenset(name.lower() for name, present in features.items() if present)


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    import platform

    return platform.processor() or platform.machine()


@dataclass(frozen=True)
class KernelPlan:
    """Which orientation serves one query and which serves a batch, and why."""

    single: KernelName
    batch: KernelName
    reason: str

    def kernel_for(self, queries: int) -> KernelName:
        return self.batch if queries >= BATCH_ROWS_FROM else self.single

    def describe(self) -> str:
        return f"int8 scan: one query -> {self.single}, batches -> {self.batch} ({self.reason})"


def choose(flags: frozenset[str] | None = None, override: Choice | None = None) -> KernelPlan:
    """The plan for this CPU; ``override`` (or FACEGATE_SCAN_KERNEL) forces one orientation."""
    forced = override if override not in (None, "auto") else os.environ.get("FACEGATE_SCAN_KERNEL", "auto")
    kernel = _KERNELS.get(forced)
    if kernel is not None:
        return KernelPlan(kernel, kernel, "forced by setting")
    if forced != "auto":
        raise ValueError(f"scan kernel must be auto, columns or rows, not {forced!r}")
    flags = cpu_flags() if flags is None else flags
    if "amx_int8" in flags:
        return KernelPlan("rows", "rows", "amx_int8: the GEMM's tile unit for every query")
    units = ", ".join(f for f in ("avx2", *_VNNI) if f in flags) or "no avx2"
    return KernelPlan("columns", "rows", f"{units}: measured, one query streams, batches take the GEMM")


@functools.lru_cache(maxsize=8)
def session(kernel: KernelName, dimension: int, threads: int) -> Any:
    """An onnxruntime session computing Y = A @ B (int32) for this orientation.

    ``columns``: A uint8 (m, d) queries, B int8 (d, n) gallery.
    ``rows``: A uint8 (n, d) gallery (codes + 128), B int8 (d, m) queries.
    """
    import onnxruntime as ort
    from onnx import TensorProto, helper

    a_shape: list[int | None] = [None, dimension]
    b_shape: list[int | None] = [dimension, None]
    graph = helper.make_graph(
        [helper.make_node("MatMulInteger", ["A", "B"], ["Y"])], f"int8_scan_{kernel}",
        [helper.make_tensor_value_info("A", TensorProto.UINT8, a_shape),
         helper.make_tensor_value_info("B", TensorProto.INT8, b_shape)],
        [helper.make_tensor_value_info("Y", TensorProto.INT32, [None, None])])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.log_severity_level = 3
    return ort.InferenceSession(model.SerializeToString(), options, providers=["CPUExecutionProvider"])
