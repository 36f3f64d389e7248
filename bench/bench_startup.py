"""Start-up: how long `facegate` commands take to start, and `facegate serve` to answer /healthz.

Each figure is the wall time of a fresh process, as a person or a process manager sees it:
``facegate --help``, store commands that never touch a face (``deploy list``, ``keys list``,
``requests list``, ``audit verify``, each ``--json``), and ``facegate serve`` from exec to the
first 200 on ``/healthz`` over a real socket. /healthz is readiness: it answers 503 until the face
engine has loaded, so that figure includes the engine. The data directory is prepared once
(``facegate init``, then one ``serve`` that converts and caches the models) so the figures are of
a restart, not of the first install; for the same reason facegate's modules are compiled to bytecode
first, as ``pip install`` does (under PYTHONDONTWRITEBYTECODE=1 an editable checkout would otherwise
recompile every module on every start; ``--no-bytecode`` measures that). Runs are interleaved (one of each command per round), so
load from other processes falls on all alike; medians of the rounds.

Targets (issue 14): commands that do not touch faces start in < 1 s; `serve` is ready in < 2 s.
"""

from __future__ import annotations

import argparse
import compileall
import http.client
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from socket_server import free_port  # noqa: E402
from machine import cpu_line  # noqa: E402
from summary import row, write_summary  # noqa: E402

CLI_TARGET_S, SERVE_TARGET_S = 1.0, 2.0
# key -> (arguments, label): commands that do not touch faces (the CLI target applies to each)
CLI = {"help": (["--help"], "`facegate --help`"),
       "list": (["deploy", "list", "--json"], "`facegate deploy list --json`"),
       "keys": (["keys", "list", "--json"], "`facegate keys list --json`"),
       "requests": (["requests", "list", "--json"], "`facegate requests list --json`"),
       "audit": (["audit", "verify", "--json"], "`facegate audit verify --json` (empty record)")}


def _facegate() -> list[str]:
    script = Path(sys.executable).parent / "facegate"
    return [str(script)] if script.exists() else [sys.executable, "-m", "facegate.cli.main"]


def _env(data: Path) -> dict[str, str]:
    return {**os.environ, "FACEGATE_ENV": "test", "FACEGATE_DATA_DIR": str(data), "FACEGATE_EXAMPLES_DIR": ""}


def _child_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


CPU: dict[str, list[float]] = {}  # CPU seconds of each run (less sensitive to load than wall time)


def _cli(args: list[str], data: Path, key: str) -> float:
    t, c = time.perf_counter(), _child_cpu()
    subprocess.run([*_facegate(), *args], env=_env(data), check=True, capture_output=True)
    CPU.setdefault(key, []).append(_child_cpu() - c)
    return time.perf_counter() - t


def _healthz(port: int) -> int | None:
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
        conn.request("GET", "/healthz")
        status = conn.getresponse().status
        conn.close()
        return status
    except OSError:
        return None


def _serve_ready(data: Path) -> float:
    port = free_port()
    t, c = time.perf_counter(), _child_cpu()
    proc = subprocess.Popen([*_facegate(), "serve", "--port", str(port)], env=_env(data),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while _healthz(port) != 200:
            if proc.poll() is not None:
                raise RuntimeError(f"facegate serve exited with {proc.returncode}")
            if time.perf_counter() - t > 60:
                raise RuntimeError("facegate serve not ready within 60 s")
            time.sleep(0.01)
        return time.perf_counter() - t
    finally:
        proc.terminate()
        proc.wait(10)
        CPU.setdefault("serve", []).append(_child_cpu() - c)  # includes shutting down


def _compile_facegate() -> None:
    """Bytecode for the facegate package the commands import (the same PYTHONPATH as this process)."""
    import facegate

    compileall.compile_dir(str(Path(facegate.__file__).parent), quiet=1)


def run(rounds: int, bytecode: bool = True) -> tuple[str, list[dict]]:
    if bytecode:
        _compile_facegate()
    with tempfile.TemporaryDirectory(prefix="fg-start-") as tmp:
        data = Path(tmp) / "data"
        subprocess.run([*_facegate(), "init"], env=_env(data), check=True, capture_output=True)
        models = ROOT / ".cache" / "models"
        if models.is_dir():  # the converted ONNX model, as a node that has run once has it
            shutil.copytree(models, data / "models", dirs_exist_ok=True)
        _serve_ready(data)  # the first start converts the models into data/models; not counted
        CPU.clear()
        times: dict[str, list[float]] = {k: [] for k in (*CLI, "serve")}
        for _ in range(rounds):
            for key, (args, _) in CLI.items():
                times[key].append(_cli(args, data, key))
            times["serve"].append(_serve_ready(data))
    med = {k: statistics.median(v) for k, v in times.items()}
    cli_met = max(med[k] for k in CLI) < CLI_TARGET_S
    slowest = max(CLI, key=lambda k: med[k])
    serve_met = med["serve"] < SERVE_TARGET_S
    load = os.getloadavg()[0]
    cpu = {k: statistics.median(v) for k, v in CPU.items()}

    def fig(s: float, ok: bool) -> str:
        return f"{s:.2f} s" if ok else f"**{s:.2f} s**"

    summary = [
        row("start-up", f"CLI commands that do not touch faces start in < {CLI_TARGET_S:.0f} s",
            f"`--help` {fig(med['help'], med['help'] < CLI_TARGET_S)}, `deploy list` "
            f"{fig(med['list'], med['list'] < CLI_TARGET_S)}, slowest store command {CLI[slowest][1]} "
            f"{fig(med[slowest], med[slowest] < CLI_TARGET_S)} (median of {rounds}; CPU {cpu['help']:.2f} s, "
            f"{cpu['list']:.2f} s and {cpu[slowest]:.2f} s; load average {load:.1f})", cli_met),
        row("start-up", f"`facegate serve` ready (first 200 on /healthz over a socket) in < {SERVE_TARGET_S:.0f} s",
            f"{fig(med['serve'], serve_met)} (median of {rounds}; ready = face engine loaded; CPU {cpu['serve']:.2f} s "
            f"up to shutdown; load average {load:.1f})", serve_met),
    ]
    text = "\n".join([
        "## Start-up (issue 14)",
        "",
        f"Fresh processes, {rounds} interleaved rounds, medians (min–max); prepared data directory (SQLite); "
        f"facegate's bytecode {'compiled first' if bytecode else 'not compiled (every start compiles)'}; "
        f"load average at the end {load:.2f} on {os.cpu_count()} CPUs (other work on the machine inflates times).",
        "",
        f"CPU: {cpu_line()}.",
        "",
        "| command | median s | min–max s | CPU s (median) | target |",
        "|---|---|---|---|---|",
        *(f"| {label} | {med[k]:.2f} | {min(times[k]):.2f}–{max(times[k]):.2f} | {statistics.median(CPU[k]):.2f} "
          f"| {target} |" for k, label, target in (
            *((k, label, f"< {CLI_TARGET_S:.0f} s") for k, (_, label) in CLI.items()),
            ("serve", "`facegate serve` to the first 200 on /healthz (engine loaded)", f"< {SERVE_TARGET_S:.0f} s"))),
        "",
        "CPU s is the process's own user + system time (for `serve`, up to its shutdown): on a loaded machine "
        "it shows the work a start costs, while the wall time also counts waiting for a core.",
        "",
    ])
    return text, summary


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--no-bytecode", action="store_true", help="do not compile facegate's modules first")
    ap.add_argument("--out", type=Path)
    ap.add_argument("--summary", type=Path)
    args = ap.parse_args()
    text, rows = run(args.rounds, bytecode=not args.no_bytecode)
    print(text)
    if args.out:
        args.out.write_text(text)
    write_summary(args.summary, rows)


if __name__ == "__main__":
    main()
