"""What the liveness check achieves, measured: python bench/bench_liveness.py (about 3 minutes).

Runs the real service (challenge store, engine, judge) on sequences made from the
four test photos (tests/liveness_media.py), in memory and a temporary directory:

- simulated live people, for every one of the 18 step orders;
- a flat photo moved as a card can be (turned, tilted, rolled, shifted, nearer) in
  the asked order, random in size;
- an exact replay, and a replay re-encoded so its bytes differ;
- the passive measures on simulated screens, prints, glare and a held phone.

Everything "live" here is synthetic: a photo given a head-shaped depth and turned.
The figures say what the rules do on these inputs, not on real attacks.
"""

from __future__ import annotations

import itertools
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from facegate.bootstrap import build_context, face_engine  # noqa: E402
from facegate.domain.liveness import Step, pose_from_landmarks  # noqa: E402
from facegate.services.liveness import Frame, issue_challenge, judge_frames  # noqa: E402
from facegate.services.liveness_passive import border_strength, moire_energy, specular_share  # noqa: E402
from facegate.settings import Settings  # noqa: E402
from tests import liveness_media as lm  # noqa: E402
from tests.conftest import install_deployment  # noqa: E402

PHOTOS = ("obama.jpg", "obama2.jpg", "obama3.jpg", "biden.jpg")
PER_STEP = 3


def orders() -> list[tuple[Step, ...]]:
    moves = (Step.LEFT, Step.RIGHT, Step.NOD)
    out = []
    for seq in itertools.product(moves, repeat=4):
        if set(seq) == set(moves) and all(a is not b for a, b in zip(seq, seq[1:])):
            out.append((Step.CENTRE, *seq))
    return out


def run(ctx, d, steps, shots):  # type: ignore[no-untyped-def]
    ctx.services.liveness_steps = lambda n: steps
    ch = issue_challenge(ctx.services, d)
    verdict, _, figures = judge_frames(ctx.services, install_deployment.__globals__["sample_deployment"](id=d), ch.id,
                                       [Frame(s, q, img) for s, q, img in shots])
    return verdict, figures


def card_shots(frame: np.ndarray, steps: tuple[Step, ...], rng: np.random.Generator) -> list[tuple[int, int, bytes]]:
    """A flat photo moved as the steps ask: turned for left/right, tilted for a nod, with roll and drift."""
    shots = []
    for i, step in enumerate(steps):
        for q in range(PER_STEP):
            yaw = {Step.LEFT: 1, Step.RIGHT: -1}.get(step, 0) * rng.uniform(15, 45)
            pitch = rng.uniform(15, 45) * rng.choice([-1, 1]) if step is Step.NOD else 0.0
            img = lm.tilt_flat(frame, yaw_deg=yaw, pitch_deg=pitch, roll_deg=rng.uniform(-8, 8),
                               shift=(rng.uniform(-20, 20), rng.uniform(-15, 15)), scale=rng.uniform(0.9, 1.15))
            shots.append((i, q, lm.jpeg(np.clip(img + rng.normal(0, 2, img.shape), 0, 255).astype(np.uint8))))
    return shots


def screen(frame: np.ndarray) -> np.ndarray:
    """The frame shown on an LCD (RGB stripes) and filmed slightly smaller: aliasing makes moire."""
    big = np.repeat(np.repeat(frame, 3, axis=0), 3, axis=1).astype(np.float32)
    mask = np.zeros_like(big)
    for c in range(3):
        mask[:, c::3, c] = 1.0
    shown = Image.fromarray(np.clip(big * mask * 2.2, 0, 255).astype(np.uint8))
    return np.asarray(shown.resize((int(frame.shape[1] * 1.03), int(frame.shape[0] * 1.03)), Image.BILINEAR)
                      .crop((0, 0, frame.shape[1], frame.shape[0])))


def halftone(frame: np.ndarray, period: int = 4) -> np.ndarray:
    ys, xs = np.mgrid[0:frame.shape[0], 0:frame.shape[1]]
    dots = 0.75 + 0.25 * np.cos(2 * np.pi * xs / period) * np.cos(2 * np.pi * ys / period)
    return np.clip(frame * dots[..., None], 0, 255).astype(np.uint8)


def glare(frame: np.ndarray, points: np.ndarray) -> np.ndarray:
    ys, xs = np.mgrid[0:frame.shape[0], 0:frame.shape[1]]
    c = points[:4].mean(0) + [15, 25]
    blob = 400 * np.exp(-((xs - c[0]) ** 2 + (ys - c[1]) ** 2) / (2 * 18.0 ** 2))
    return np.clip(frame + blob[..., None], 0, 255).astype(np.uint8)


def phone(frame: np.ndarray) -> np.ndarray:
    """The frame on a phone held up in front of a wall: a black bezel with straight edges."""
    h, w = frame.shape[:2]
    out = np.full_like(frame, 170)
    small = np.asarray(Image.fromarray(frame).resize((int(w * 0.62), int(h * 0.62))))
    top, left = (h - small.shape[0]) // 2, (w - small.shape[1]) // 2
    out[top - 12:top + small.shape[0] + 12, left - 12:left + small.shape[1] + 12] = 15
    out[top:top + small.shape[0], left:left + small.shape[1]] = small
    return out


def main() -> None:
    engine = face_engine("auto", str(ROOT / ".cache" / "models"))
    photos = {n: (ROOT / ".cache" / "test_images" / n).read_bytes() for n in PHOTOS}
    faces = {n: lm.face_frame(engine, b) for n, b in photos.items()}
    rng = np.random.default_rng(2026)
    with tempfile.TemporaryDirectory() as tmp:
        ctx = build_context(Settings(env="test", data_dir=Path(tmp), examples_dir=None), engine=engine)
        d = install_deployment(ctx).id
        lines = ["| check | inputs | result |", "|---|---|---|"]

        live_pass, timings, observed_fail, per_photo = 0, [], [], {n: [0, 0] for n in faces}
        all_orders = orders()
        for (name, (frame, pts)), order in zip(itertools.cycle(faces.items()), all_orders * 1):
            shots = lm.step_frames(frame, pts, [s.value for s in order], PER_STEP, seed=int(rng.integers(1e6)))
            t0 = time.perf_counter()
            verdict, figures = run(ctx, d, order, shots)
            timings.append(time.perf_counter() - t0)
            live_pass += verdict.passed
            per_photo[name][0] += verdict.passed
            per_photo[name][1] += 1
            if not verdict.passed:
                observed_fail.append(f"{name}: {verdict.reason.code if verdict.reason else '?'}")
        lines.append(f"| simulated live person, every order | {len(all_orders)} sequences of {5 * PER_STEP} frames,"
                     f" 4 photos | {live_pass}/{len(all_orders)} pass; by photo "
                     f"{', '.join(f'{n} {p}/{t}' for n, (p, t) in per_photo.items())}"
                     f"{' (fails: ' + '; '.join(observed_fail) + ')' if observed_fail else ''} |")
        lines.append(f"| time per check (observe + judge) | {5 * PER_STEP} frames 640x480, {engine.describer_name}"
                     f" | median {statistics.median(timings) * 1000:.0f} ms |")

        card_pass, card_codes, max_yaw = 0, {}, 0.0
        trials = 0
        for name, (frame, pts) in faces.items():
            for order in all_orders[:6]:
                shots = card_shots(frame, order, rng)
                verdict, _ = run(ctx, d, order, shots)
                trials += 1
                card_pass += verdict.passed
                code = verdict.reason.code if verdict.reason else "passed"
                card_codes[code] = card_codes.get(code, 0) + 1
            base = pose_from_landmarks(engine.observe_many([lm.jpeg(frame)])[0].landmarks)
            for yaw in (-45, -30, 30, 45):
                o = engine.observe_many([lm.jpeg(lm.tilt_flat(frame, yaw_deg=yaw))])[0]
                if o.embedding is not None:
                    max_yaw = max(max_yaw, abs(pose_from_landmarks(o.landmarks).yaw - base.yaw))
        lines.append(f"| flat photo moved as asked (turned 15-45°, tilted, rolled, shifted) | {trials} sequences |"
                     f" {card_pass}/{trials} pass; codes {card_codes}; largest yaw change a turned card gave:"
                     f" {max_yaw:.3f} (threshold 0.15) |")

        frame, pts = faces["obama.jpg"]
        order = all_orders[0]
        shots = lm.step_frames(frame, pts, [s.value for s in order], PER_STEP, seed=99)
        first, _ = run(ctx, d, order, shots)
        exact, _ = run(ctx, d, order, shots)
        recoded = [(s, q, lm.jpeg(np.asarray(Image.open(__import__("io").BytesIO(b)).convert("RGB")), 85))
                   for s, q, b in shots]
        other_orders = [o for o in all_orders if o != order]
        same, _ = run(ctx, d, order, recoded)  # first, before its digests are remembered by the runs below
        caught = 0
        for i, o in enumerate(other_orders):
            # Each try re-encoded afresh (another quality), so the digests cannot be what refuses it.
            again = [(s, q, lm.jpeg(np.asarray(Image.open(__import__("io").BytesIO(b)).convert("RGB")), 70 + i))
                     for s, q, b in shots]
            v, _ = run(ctx, d, o, again)
            caught += not v.passed
        lines.append(f"| replay of a passed sequence | same bytes | {'refused ' + exact.reason.code if exact.reason else 'passed'}"
                     f" (first run {'passed' if first.passed else 'failed'}) |")
        lines.append(f"| replay re-encoded (new bytes) | against the other {len(other_orders)} orders |"
                     f" {caught}/{len(other_orders)} refused; against its own order: "
                     f"{'passed (a 1-in-18 chance per challenge)' if same.passed else 'refused'} |")

        measures = {"moire": [], "specular": [], "border": []}
        attacks = {"screen": screen, "halftone print": halftone, "glare": None, "phone bezel": phone}
        results: dict[str, dict[str, list[float]]] = {k: {m: [] for m in measures} for k in ("live", *attacks)}
        for name, (frame, pts) in faces.items():
            variants = {"live": frame, "screen": screen(frame), "halftone print": halftone(frame),
                        "glare": glare(frame, pts), "phone bezel": phone(frame)}
            for kind, img in variants.items():
                o = engine.observe_many([lm.jpeg(img)])[0]
                if o.face_rgb is None:
                    continue
                results[kind]["moire"].append(moire_energy(o.face_rgb))
                results[kind]["specular"].append(specular_share(o.face_rgb))
                results[kind]["border"].append(border_strength(o.thumb))
        for m in measures:
            live = results["live"][m]
            cells = []
            for kind in attacks:
                vals = results[kind][m]
                sep = bool(vals) and min(vals) > max(live)
                cells.append(f"{kind} {min(vals, default=float('nan')):.4f}-{max(vals, default=float('nan')):.4f}"
                             f"{' separates' if sep else ''}")
            lines.append(f"| passive: {m} | live {min(live):.4f}-{max(live):.4f} | {'; '.join(cells)} |")
        ctx.close()
    print("\n".join(lines))


if __name__ == "__main__":
    main()
