"""Gate overhead: raw engine vs gated enroll/verify through the service layer and over HTTP.

Same photos, one run. Target (issue "gated face service"): gate + sealing +
storage + record add at most 5% to the raw engine time for verify. With
``--summary FILE`` it writes that row of the summary table (bench/summary.py),
naming the engine, since run_all runs it once per descriptor.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from fastapi.testclient import TestClient  # noqa: E402
from summary import photo_bench_main, row  # noqa: E402

from facegate.bootstrap import build_context, face_engine  # noqa: E402
from facegate.domain.model import Mode  # noqa: E402
from facegate.ports import FaceOptions  # noqa: E402
from facegate.services.consent import ConsentRequest, give_consent  # noqa: E402
from facegate.services.faces import enroll, verify  # noqa: E402
from facegate.services.access import create_api_key  # noqa: E402
from facegate.web.app import create_app  # noqa: E402
from tests.conftest import install_deployment, make_settings  # noqa: E402

P = "identity_verification"
OVERHEAD_TARGET = 0.05  # gated verify at most 5% over the raw engine


def _photos(folder: Path, limit: int) -> list[tuple[str, bytes]]:
    """Pairs of photos of people with at least two photos: (name, first, second)."""
    out: list[tuple[str, bytes]] = []
    for person in sorted(p for p in folder.iterdir() if p.is_dir()):
        shots = sorted(person.glob("*.jpg"))
        if len(shots) >= 2:
            out.append((person.name, shots[0].read_bytes()))
            out.append((person.name, shots[1].read_bytes()))
        if len(out) >= 2 * limit:
            break
    return out


def _ms(samples: list[float]) -> str:
    return f"{statistics.median(samples) * 1000:.1f}"


def run(faces: Path, limit: int, engine_kind: str) -> tuple[str, list[dict]]:
    """The Markdown section and the summary row."""
    engine = face_engine(engine_kind, str(ROOT / ".cache" / "models"))
    photos = _photos(faces, limit)
    people = [(photos[i][0], photos[i][1], photos[i + 1][1]) for i in range(0, len(photos), 2)]
    raw, svc_enroll, svc_verify, http_verify = [], [], [], []
    with tempfile.TemporaryDirectory() as tmp:
        ctx = build_context(make_settings(Path(tmp)), engine=engine)
        # LFW photos often show a second person in the background: take the largest face.
        options = FaceOptions(allow_largest=True, min_face_px=40)
        ctx.services.face_options = options
        d = install_deployment(ctx, mode=Mode.IDENTIFY)
        admin = create_api_key(ctx.services, "bench", "admin", ("*",))
        client = TestClient(create_app(ctx), headers={"Authorization": f"Bearer {admin.token}"})
        engine.embed(people[0][1], options)  # warm-up
        for name, first, second in people:
            give_consent(ctx.services, ConsentRequest(d.id, name, P, d.notice_version, age_attested_by="bench"))
            t = time.perf_counter()
            engine.embed(second, options)
            raw.append(time.perf_counter() - t)
            t = time.perf_counter()
            enroll(ctx.services, d.id, name, P, first)
            svc_enroll.append(time.perf_counter() - t)
            t = time.perf_counter()
            verify(ctx.services, d.id, name, P, second)
            svc_verify.append(time.perf_counter() - t)
            t = time.perf_counter()
            client.post(f"/v1/deployments/{d.id}/verify", params={"purpose": P, "subject_ref": name}, content=second)
            http_verify.append(time.perf_counter() - t)
        ctx.close()
    overhead = statistics.median(svc_verify) / statistics.median(raw) - 1
    http_overhead = statistics.median(http_verify) / statistics.median(raw) - 1
    met = overhead <= OVERHEAD_TARGET
    describer = getattr(engine, "describer_name", "?")
    figure = f"{overhead * 100:+.1f}%"
    summary = [row(
        "gated service",
        f"gate, sealing, storage and record add ≤ {OVERHEAD_TARGET:.0%} to the raw engine time for verify "
        f"(engine `{engine.name}`, describer `{describer}`)",
        f"{figure if met else f'**{figure}**'} (raw {_ms(raw)} ms, gated verify {_ms(svc_verify)} ms, "
        f"median of {len(people)}; over HTTP {http_overhead * 100:+.1f}%)",
        met)]
    return "\n".join([
        "## Gate overhead (issue: gated face service)",
        "",
        f"{len(people)} people from `{faces}`, engine `{engine.name}` with describer "
        f"`{describer}`, SQLite store, median per call.",
        "",
        "| step | median ms | vs raw engine | target |",
        "|---|---|---|---|",
        f"| raw engine (decode, detect, align, embed) | {_ms(raw)} | 1.00 | |",
        f"| gated enroll, service layer | {_ms(svc_enroll)} | {statistics.median(svc_enroll) / statistics.median(raw):.2f} | |",
        f"| gated verify, service layer | {_ms(svc_verify)} | {1 + overhead:.2f} ({overhead * 100:+.1f}%) | ≤ +5% "
        f"{'met' if met else 'NOT met'} |",
        f"| gated verify, HTTP (in-process ASGI client) | {_ms(http_verify)} | {1 + http_overhead:.2f} "
        f"({http_overhead * 100:+.1f}%) | |",
        "",
    ]), summary


def main() -> None:
    photo_bench_main(__doc__, run, 40, "people (two photos each)")


if __name__ == "__main__":
    main()
