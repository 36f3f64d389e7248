"""Gate overhead: raw engine vs gated verify in-process, over a real socket, and through TestClient.

Same photos, one run, interleaved: each round measures, per person and in a rotating order,
the raw engine, the gated verify through the service layer, the same verify over HTTP to a
real uvicorn on a local port (what production runs; the client in a process of its own, as
a real client is, timing each request itself), and through FastAPI's TestClient (secondary
figure). Interleaving makes the load that other processes put on the machine fall on every
column alike, so the ratios compare.

Two more columns say where the in-process overhead lies: the gate alone (the same verify with
the photo's embedding already computed, so only the gate, unsealing, storage and record run),
and the engine's own time inside the gated verify (timed around its ``embed`` call), which is
longer than the raw engine's when the gate's work has pushed the engine's data out of the CPU
caches. Thread CPU time (``time.thread_time``) of the calling thread is shown beside wall time:
the gate runs in that one thread, so its figure is the work it adds, whatever else the machine
runs. ``bench/gate_instructions.py`` counts the gate's instructions under valgrind.

Targets (issue 14): gate, sealing, storage and record add at most 5% to the raw engine on
verify in-process; HTTP adds at most 15% over a real socket. Then throughput with one and
with two concurrent HTTP clients (issue 17 item 4: face work no longer runs one request at
a time). With ``--summary FILE`` it writes the summary rows (bench/summary.py).
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from fastapi.testclient import TestClient  # noqa: E402
from socket_server import RemoteClient, ThreadedServer, expect_ok, http_throughput  # noqa: E402
from machine import cpu_line  # noqa: E402
from summary import photo_bench_main, row  # noqa: E402

from facegate.bootstrap import build_context, face_engine  # noqa: E402
from facegate.domain.intrusion import IntrusionPolicy, Limit  # noqa: E402
from facegate.domain.model import Mode  # noqa: E402
from facegate.ports import FaceOptions  # noqa: E402
from facegate.services.access import create_api_key  # noqa: E402
from facegate.services.consent import ConsentRequest, give_consent  # noqa: E402
from facegate.services.faces import enroll, verify  # noqa: E402
from facegate.web.app import create_app  # noqa: E402
from tests.conftest import install_deployment, make_settings  # noqa: E402

P = "identity_verification"
OVERHEAD_TARGET = 0.05  # gated verify at most 5% over the raw engine, in-process
HTTP_TARGET = 0.15  # and HTTP at most 15% more over a real socket
ROUNDS = 2
BURST = 24  # requests per throughput burst


def _photos(folder: Path, limit: int) -> list[tuple[str, bytes, bytes]]:
    """People with at least two photos: (name, first, second)."""
    out: list[tuple[str, bytes, bytes]] = []
    for person in sorted(p for p in folder.iterdir() if p.is_dir()):
        shots = sorted(person.glob("*.jpg"))
        if len(shots) >= 2:
            out.append((person.name, shots[0].read_bytes(), shots[1].read_bytes()))
        if len(out) >= limit:
            break
    return out


def _med(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


CPU: dict[str, list[float]] = {}  # process CPU seconds per call, by column
THREAD: dict[str, list[float]] = {}  # the calling thread's CPU seconds per call, by column


def _timed(fn: Callable[[], object], key: str = "") -> float:
    """Wall seconds of ``fn()``; its process CPU seconds (every thread: the server's too) go to CPU[key]."""
    c, tc, t = time.process_time(), time.thread_time(), time.perf_counter()
    fn()
    wall = time.perf_counter() - t
    if key:
        CPU.setdefault(key, []).append(time.process_time() - c)
        THREAD.setdefault(key, []).append(time.thread_time() - tc)
    return wall


class _EngineProbe:
    """The engine as the gated verify calls it: times each ``embed`` (wall), or answers from ``cached``."""

    def __init__(self, engine: object) -> None:
        self._engine = engine
        # Copied, not looked up through __getattr__ on every call: the probe must not slow the gate down.
        for attr in ("name", "version", "metric", "dimension", "default_threshold", "describer_name"):
            if hasattr(engine, attr):
                setattr(self, attr, getattr(engine, attr))
        self.cached: dict[bytes, object] | None = None  # set: the gate-alone column (no engine work)
        self.last = 0.0

    def __getattr__(self, name: str) -> object:
        return getattr(self._engine, name)

    def embed(self, image: bytes, options: FaceOptions) -> object:
        if self.cached is not None:
            return self.cached[image]
        t = time.perf_counter()
        try:
            return self._engine.embed(image, options)  # type: ignore[attr-defined]
        finally:
            self.last = time.perf_counter() - t


def _raw_throughput(n_threads: int, engine: object, options: FaceOptions, photos: list[bytes]) -> float:
    threads = [threading.Thread(target=lambda i=i: [engine.embed(p, options) for p in photos[i::n_threads]])  # type: ignore[attr-defined]
               for i in range(n_threads)]
    t = time.perf_counter()
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    return len(photos) / (time.perf_counter() - t)


def run(faces: Path, limit: int, engine_kind: str) -> tuple[str, list[dict]]:
    """The Markdown section and the summary rows."""
    engine = face_engine(engine_kind, str(ROOT / ".cache" / "models"))
    people = _photos(faces, limit)
    cols: dict[str, list[float]] = {"raw": [], "svc": [], "gate": [], "socket": [], "testclient": []}
    inside: list[float] = []  # the engine's wall time inside the gated verify
    enrolls: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        ctx = build_context(make_settings(Path(tmp)), engine=engine)
        # The bench repeats verifies of the same people from one key: lift the per-key limits (M-14.5).
        big = Limit(10**9, 60)
        ctx.defence.policy = IntrusionPolicy(per_key=big, per_client=big, per_subject=big, verify_failures=big)
        # LFW photos often show a second person in the background: take the largest face.
        options = FaceOptions(allow_largest=True, min_face_px=40)
        ctx.services.face_options = options
        probe = _EngineProbe(engine)
        ctx.services.engine = probe  # type: ignore[assignment]  # the same engine, timed
        d = install_deployment(ctx, mode=Mode.IDENTIFY)
        admin = create_api_key(ctx.services, "bench", "admin", ("*",))
        headers = {"Authorization": f"Bearer {admin.token}"}
        app = create_app(ctx)
        test_client = TestClient(app, headers=headers)
        engine.embed(people[0][1], options)  # warm-up
        for name, first, _ in people:
            give_consent(ctx.services, ConsentRequest(d.id, name, P, d.notice_version, age_attested_by="bench"))
            enrolls.append(_timed(lambda: enroll(ctx.services, d.id, name, P, first)))
        embeddings = {second: engine.embed(second, options) for _, _, second in people}
        CPU.clear()
        THREAD.clear()

        def svc(name: str, photo: bytes) -> None:
            verify(ctx.services, d.id, name, P, photo)
            inside.append(probe.last)

        def gate_alone(name: str, photo: bytes) -> None:
            probe.cached = embeddings
            try:
                verify(ctx.services, d.id, name, P, photo)
            finally:
                probe.cached = None

        with ThreadedServer(app) as server:
            stack = f"{server.server.config.http} + {server.server.config.loop}"  # uvicorn's parser and loop
            sock = RemoteClient(server.port, headers)  # a process of its own, as a real client is
            path = f"/v1/deployments/{d.id}/verify?purpose={P}&subject_ref="
            for r in range(ROUNDS):
                for i, (name, _, second) in enumerate(people):
                    steps: list[tuple[str, Callable[[], object]]] = [
                        ("raw", lambda: engine.embed(second, options)),
                        ("svc", lambda: svc(name, second)),
                        ("gate", lambda: gate_alone(name, second)),
                        ("socket", lambda: expect_ok(sock.post(path + name, second))),
                        ("testclient", lambda: expect_ok((lambda r: (r.status_code, r.content))(
                            test_client.post(f"/v1/deployments/{d.id}/verify",
                                             params={"purpose": P, "subject_ref": name}, content=second)))),
                    ]
                    shift = (i + r) % len(steps)  # rotate the order so no column always runs first
                    for key, fn in steps[shift:] + steps[:shift]:
                        took = _timed(fn, key)
                        # The socket column's wall time is the client's own (the pipe that drives it is not HTTP).
                        cols[key].append(sock.last_s if key == "socket" else took)
            sock.close()
            work = [(name, second) for name, _, second in people][:BURST]
            seconds = [second for _, _, second in people][:BURST]
            tput: dict[str, list[float]] = {"raw1": [], "raw2": [], "http1": [], "http2": []}
            for _ in range(2):  # interleaved: one client, two clients, and again
                tput["raw1"].append(_raw_throughput(1, engine, options, seconds))
                tput["raw2"].append(_raw_throughput(2, engine, options, seconds))
                verifies = [(f"/v1/deployments/{d.id}/verify?purpose={P}&subject_ref={name}", photo)
                            for name, photo in work]
                tput["http1"].append(http_throughput(1, server.port, headers, verifies))
                tput["http2"].append(http_throughput(2, server.port, headers, verifies))
        ctx.close()
    raw = _med(cols["raw"])
    over = {k: _med(v) / raw - 1 for k, v in cols.items()}
    # The profile reports HTTP against the raw engine (+39%): the target is read the same way,
    # the stricter reading; what HTTP adds on top of the gated service is shown beside it.
    http_over = over["socket"]
    on_top = _med(cols["socket"]) / _med(cols["svc"]) - 1
    met, http_met = over["svc"] <= OVERHEAD_TARGET, http_over <= HTTP_TARGET
    describer = getattr(engine, "describer_name", "?")
    best = {k: max(v) for k, v in tput.items()}
    cpu = {k: statistics.median(v) * 1000 for k, v in CPU.items()}
    thread = {k: statistics.median(v) * 1000 for k, v in THREAD.items()}
    engine_inside = _med(inside)
    cpu_over = {k: v / cpu["raw"] - 1 for k, v in cpu.items()}
    n = len(cols["raw"])

    def pct(x: float) -> str:
        return f"{x * 100:+.1f}%"

    def bold(text: str, ok: bool) -> str:
        return text if ok else f"**{text}**"

    summary = [
        row("gated service",
            f"gate, sealing, storage and record add ≤ {OVERHEAD_TARGET:.0%} to the raw engine on verify, in-process "
            f"(engine `{engine.name}`, describer `{describer}`)",
            f"{bold(pct(over['svc']), met)} (raw {raw:.1f} ms, gated {_med(cols['svc']):.1f} ms, "
            f"median of {n}, interleaved; CPU time {pct(cpu_over['svc'])}; the gate alone "
            f"{_med(cols['gate']):.2f} ms wall, {thread['gate']:.2f} ms thread CPU = "
            f"{thread['gate'] / raw * 100:.1f}% of the raw engine)", met),
        row("gated service",
            f"gated verify over HTTP ≤ {HTTP_TARGET:.0%} over the raw engine, real socket (uvicorn {stack} on a port; "
            f"describer `{describer}`)",
            f"{bold(pct(http_over), http_met)} ({_med(cols['socket']):.1f} ms; {on_top * 100:+.1f}% on top "
            f"of the gated service; CPU time {pct(cpu_over['socket'])}); TestClient {over['testclient'] * 100:+.1f}% "
            "(secondary)",
            http_met),
        row("gated service", f"verify throughput over HTTP, 2 concurrent clients vs 1 (describer `{describer}`)",
            f"{best['http2']:.1f} req/s vs {best['http1']:.1f} req/s ({best['http2'] / best['http1']:.2f}x); "
            f"raw engine in 2 threads {best['raw2'] / best['raw1']:.2f}x", None),
    ]
    text = "\n".join([
        f"## Gate overhead (issue 14), describer `{describer}`",
        "",
        f"{len(people)} people from `{faces}`, engine `{engine.name}` with describer `{describer}`, SQLite store. "
        f"{ROUNDS} rounds over every person; each round runs the five columns per person in a rotating order "
        "(interleaved), so load from other processes falls on all alike. Medians per call.",
        "",
        f"CPU: {cpu_line()}.",
        "",
        "| step | median ms | vs raw engine | CPU ms (median) | CPU vs raw | target |",
        "|---|---|---|---|---|---|",
        f"| raw engine (decode, detect, align, embed) | {raw:.1f} | 1.00 | {cpu['raw']:.1f} | 1.00 | |",
        f"| gated enroll, service layer (once per person, before the rounds) | {_med(enrolls):.1f} | "
        f"{_med(enrolls) / raw:.2f} | | | |",
        f"| gated verify, service layer | {_med(cols['svc']):.1f} | {1 + over['svc']:.3f} ({over['svc'] * 100:+.1f}%) | "
        f"{cpu['svc']:.1f} | {pct(cpu_over['svc'])} | "
        f"≤ +5% {'met' if met else 'NOT met'} |",
        f"| of which the engine, timed inside the gated verify | {engine_inside:.1f} | "
        f"{engine_inside / raw:.3f} ({(engine_inside / raw - 1) * 100:+.1f}%) | | | |",
        f"| the gate alone: same verify, embedding already computed (gate, unsealing, storage, record) | "
        f"{_med(cols['gate']):.2f} | {_med(cols['gate']) / raw * 100:.1f}% of raw | {cpu['gate']:.2f} | "
        f"thread CPU {thread['gate']:.2f} ms = {thread['gate'] / raw * 100:.1f}% of raw wall | |",
        f"| gated verify, HTTP over a real socket (uvicorn {stack}, keep-alive, client in its own process) | "
        f"{_med(cols['socket']):.1f} | "
        f"{1 + over['socket']:.3f} ({over['socket'] * 100:+.1f}%) | {cpu['socket']:.1f} | {pct(cpu_over['socket'])} | "
        f"≤ +15% {'met' if http_met else 'NOT met'} "
        f"({on_top * 100:+.1f}% on top of the service) |",
        f"| gated verify, TestClient (in-process ASGI, secondary) | {_med(cols['testclient']):.1f} | "
        f"{1 + over['testclient']:.3f} ({over['testclient'] * 100:+.1f}%) | {cpu['testclient']:.1f} | "
        f"{pct(cpu_over['testclient'])} | |",
        "",
        "CPU ms is the process's CPU time per call, every thread counted (the engine's ONNX threads, uvicorn's "
        "event loop and thread pool; not the HTTP client, which runs in a process of its own as a real client "
        "does, and times its requests itself): on a machine shared with other work it shows the work a call adds, "
        "while wall time also counts waiting for a core. The verdicts use wall time. "
        "The gated verify's overhead is its engine's extra time inside the call (the engine row) plus the "
        "gate's own work (the gate-alone row), which after a real embed runs with cold CPU caches and so "
        "costs more than the gate alone in a warm loop.",
        "",
        f"Throughput, {BURST} verifies per burst, best of 2 interleaved bursts:",
        "",
        "| path | 1 client | 2 concurrent clients | ratio |",
        "|---|---|---|---|",
        f"| raw engine (threads) | {best['raw1']:.1f}/s | {best['raw2']:.1f}/s | {best['raw2'] / best['raw1']:.2f}x |",
        f"| gated verify over HTTP | {best['http1']:.1f}/s | {best['http2']:.1f}/s | "
        f"{best['http2'] / best['http1']:.2f}x |",
        "",
    ])
    return text, summary


def main() -> None:
    photo_bench_main(__doc__, run, 40, "people (two photos each)")


if __name__ == "__main__":
    main()
