"""Running a fuzz target: atheris (libFuzzer) in a subprocess, or Hypothesis in-process when atheris is absent.

Bounded by default so `make test` stays quick; `make fuzz` sets FACEGATE_FUZZ_RUNS
for a longer run. Environment:

    FACEGATE_FUZZ_RUNS         executions per target (default: per target, a few seconds' worth)
    FACEGATE_FUZZ_SEED         libFuzzer seed; default 1 (reproducible) unless FACEGATE_FUZZ_RUNS is set (random)
    FACEGATE_FUZZ_MAX_SECONDS  hard cap per target (default 600)
    FACEGATE_FUZZ_WARNINGS     "error" makes Python warnings count as crashes (default: ignored, as in production)
"""

from __future__ import annotations

import base64
import importlib.util
import os
import random
import re
import subprocess
import sys
import warnings
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
RUNS_ENV = "FACEGATE_FUZZ_RUNS"

# Files libFuzzer writes for a failing input. slow-unit-* files (over 10 s) are not failures: on a
# loaded machine they are noise; a real hang shows as timeout-* (over -timeout seconds).
_ARTIFACT = re.compile(r"^(crash|timeout|oom|leak)-")
# Known, already-reported failures: (exception type name, substring of its message).
Known = Sequence[tuple[str, str]]


def fuzz_runs(default: int) -> int:
    return int(os.environ.get(RUNS_ENV) or default)


def fuzz_seed() -> int:
    if "FACEGATE_FUZZ_SEED" in os.environ:
        return int(os.environ["FACEGATE_FUZZ_SEED"])
    return 0 if os.environ.get(RUNS_ENV) else 1  # 0: libFuzzer picks a random seed


def max_seconds() -> int:
    return int(os.environ.get("FACEGATE_FUZZ_MAX_SECONDS") or 600)


def has_atheris() -> bool:
    return importlib.util.find_spec("atheris") is not None


def _safe_name(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]", "_", name)[:100] or "seed"


def _describe(path: Path) -> str:
    data = path.read_bytes()
    shown = data[:600]
    more = f" ... ({len(data)} bytes in all)" if len(data) > len(shown) else ""
    b64 = base64.b64encode(data).decode() if len(data) <= 4096 else "(too long; see the file)"
    return f"{path.name}: {shown!r}{more}\n  base64: {b64}\n  kept at: {path}"


def _crash_report(stderr: str) -> str:
    """The interesting part of libFuzzer's output: from the Python traceback to the summary."""
    lines = stderr.splitlines()
    start = next((i for i, ln in enumerate(lines) if "Uncaught Python exception" in ln or "ERROR: libFuzzer" in ln),
                 max(0, len(lines) - 40))
    noise = ("#", "INFO:", "WARNING: Failed to find", "0x", "Base64:", "stat::", "MS: ")
    keep: list[str] = []
    for prev, ln in zip(["", *lines[start:]], lines[start:]):
        if not ln.startswith(noise) and not prev.startswith("0x"):  # the input itself is shown below, once
            keep.append(ln)
    return "\n".join(keep[:80])


def run_atheris(target: str, seeds: Mapping[str, bytes], workdir: Path, *, runs: int, max_len: int,
                known: Known = (), per_input_timeout: int = 20) -> str:
    """Fuzz ``target`` (see atheris_targets.TARGETS) in a fresh process; fail the test with the input on a crash."""
    corpus, artifacts = workdir / "corpus", workdir / "artifacts"
    corpus.mkdir(parents=True, exist_ok=True)
    artifacts.mkdir(parents=True, exist_ok=True)
    for name, data in seeds.items():
        (corpus / _safe_name(name)).write_bytes(data)
    cap = max_seconds()
    cmd = [
        sys.executable, "-m", "tests.fuzz.atheris_targets", target,
        f"-runs={runs}", f"-seed={fuzz_seed()}", f"-max_len={max_len}", f"-timeout={per_input_timeout}",
        f"-max_total_time={cap}", "-rss_limit_mb=3072", f"-artifact_prefix={artifacts}/",
        "-print_final_stats=1", str(corpus),
    ]
    env = {**os.environ, "FACEGATE_FUZZ_KNOWN": "\n".join(f"{t}\t{m}" for t, m in known)}
    env.pop("PYTHONWARNINGS", None)
    try:
        # atheris prints the Python traceback on stdout and libFuzzer's report on stderr: keep both, in order.
        proc = subprocess.run(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                              errors="replace", timeout=cap + 120)
    except subprocess.TimeoutExpired as exc:
        pytest.fail(f"atheris {target}: no result after {cap + 120} s\n{str(exc.stdout or '')[-3000:]}", pytrace=False)
    found = sorted(p for p in artifacts.iterdir() if _ARTIFACT.match(p.name))
    if proc.returncode != 0 or found:
        described = "\n".join(_describe(p) for p in found) or "(libFuzzer wrote no input file)"
        pytest.fail(
            f"atheris {target}: exit {proc.returncode}; seed {fuzz_seed()}; reproduce with\n"
            f"  {' '.join(cmd[:4])} <input file>\n\n{_crash_report(proc.stdout)}\n\nInput:\n{described}",
            pytrace=False,
        )
    return proc.stdout


# --- fallback: Hypothesis, when atheris cannot be installed -----------------------------------

def run_hypothesis(check: Callable[[bytes], None], seeds: Mapping[str, bytes], *, runs: int, max_len: int,
                   known: Known = ()) -> None:
    """The same property with Hypothesis: seeds, mutated seeds (bit flips, splices, truncations) and raw bytes."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    pool = list(seeds.values())

    @st.composite
    def mutated(draw: st.DrawFn) -> bytes:
        data = bytearray(draw(st.sampled_from(pool)))
        rng = random.Random(draw(st.integers(0, 2**32 - 1)))
        for _ in range(draw(st.integers(1, 8))):
            op = rng.randrange(5)
            pos = rng.randrange(len(data) + 1)
            if op == 0 and data:
                data[pos % len(data)] ^= 1 << rng.randrange(8)
            elif op == 1:
                data[pos:pos] = rng.randbytes(rng.randrange(1, 9))
            elif op == 2:
                del data[pos:pos + rng.randrange(1, 33)]
            elif op == 3:
                data = data[:pos]
            elif data:
                data[pos % len(data):pos % len(data) + 4] = rng.choice([b"\xff\xff\xff\xff", b"\0\0\0\0", b"\x7f\xff"])
        return bytes(data[:max_len])

    @settings(max_examples=min(runs, 5000), deadline=None, database=None, derandomize=fuzz_seed() != 0,
              suppress_health_check=list(HealthCheck))
    @given(st.one_of(st.sampled_from(pool), mutated(), st.binary(max_size=max_len)))
    def prop(data: bytes) -> None:
        with warnings.catch_warnings():
            warnings.simplefilter(os.environ.get("FACEGATE_FUZZ_WARNINGS", "ignore"))  # type: ignore[arg-type]
            try:
                check(data)
            except Exception as exc:
                if not any(type(exc).__name__ == t and m in str(exc) for t, m in known):
                    raise

    prop()


def run_fuzz(target: str, check: Callable[[bytes], None], seeds: Mapping[str, bytes], workdir: Path, *,
             runs: int, max_len: int, known: Known = ()) -> None:
    if has_atheris():
        run_atheris(target, seeds, workdir, runs=runs, max_len=max_len, known=known)
    else:
        run_hypothesis(check, seeds, runs=runs, max_len=max_len, known=known)
