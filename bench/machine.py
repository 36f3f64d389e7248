"""The CPU a benchmark ran on, in one line: model, cores and the vector flags that change kernels."""

from __future__ import annotations

import os
import platform
from pathlib import Path

FLAGS = ("sse4_2", "avx", "avx2", "fma", "f16c", "avx512f", "avx512bw", "avx512vl", "avx512_vnni", "avx_vnni",
         "avx512_bf16", "amx_tile", "amx_int8", "amx_bf16")


def cpu_line() -> str:
    """``<model>, <n> CPUs, flags: ...; load average <x>`` from /proc (Linux), or what platform knows."""
    model, flags = platform.processor() or platform.machine(), set()
    info = Path("/proc/cpuinfo")
    if info.exists():
        for line in info.read_text().splitlines():
            if line.startswith("model name") and ":" in line:
                model = line.split(":", 1)[1].strip()
            elif line.startswith("flags") and ":" in line:
                flags = set(line.split(":", 1)[1].split())
    have = ", ".join(f for f in FLAGS if f in flags) or "none of " + ", ".join(FLAGS[:4])
    return (f"{model}, {os.cpu_count()} CPUs, flags: {have}; load average {os.getloadavg()[0]:.2f} "
            "(the machine is shared: other processes take CPU time during the run)")
