"""Benchmark the face descriptor: face_recognition 1.3.0 vs dlib vs the ONNX port of dlib's ResNet.

Measures on the same photos in one run:
  (a) face_recognition.face_encodings(load_image_file(p)) end to end, per photo;
  (b) dlib's compute_face_descriptor on a 150x150 chip, per chip;
  (c) the ONNX descriptor per chip, one at a time and batched;
  (d) cosine agreement between ONNX and dlib descriptors on every photo;
  (e) LFW View 1 dev-test accuracy (1,000 pairs) at Euclidean 0.6, dlib and ONNX,
      and the best threshold on the same pairs (an optimistic, oracle figure).

Chips come from dlib's HOG detector (upsample 1, as face_recognition does), the
68-point predictor and ``dlib.get_face_chip(img, shape, 150, 0.25)``. When no face
is found in an LFW photo the centre box of the (pre-aligned) photo is used, and
the count is reported.

    .venv/bin/python bench/bench_engine.py [--faces DIR] [--limit N] [--out FILE] [--summary FILE]

With ``--summary FILE`` it also writes its rows of the summary table (bench/summary.py):
agreement with dlib, LFW accuracy within 0.2 points, end to end >= 3x faster than
face_recognition, and the accuracy of the default engine and threshold.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
from engine_report import THRESHOLD, summary_rows
from lfw import default_faces, pair_accuracy, read_pairs
from summary import write_summary


def _pct(xs: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(xs), q)) if xs else float("nan")


def _ms(xs: list[float]) -> str:
    return f"{statistics.mean(xs) * 1e3:.1f} ms (p50 {_pct(xs, 50) * 1e3:.1f}, p95 {_pct(xs, 95) * 1e3:.1f})"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--faces", default=default_faces(), help="LFW dev folder (default: $FACEGATE_BENCH_FACES "
                    "or ../shared/faces/lfw-dev)")
    ap.add_argument("--limit", type=int, default=0, help="use only the first N photos (0 = all)")
    ap.add_argument("--batch", type=int, default=32, help="batch size for the batched ONNX figure")
    ap.add_argument("--threads", type=int, default=None, help="onnxruntime intra-op threads")
    ap.add_argument("--skip-face-recognition", action="store_true", help="skip (a)")
    ap.add_argument("--out", help="also write the Markdown section to this file")
    ap.add_argument("--summary", help="also write the summary rows (JSON, see bench/summary.py) to this file")
    args = ap.parse_args()

    import dlib
    import face_recognition_models as frm
    from PIL import Image

    from facegate.adapters.face.resnet_onnx import ResnetOnnxDescriber

    faces = Path(args.faces)
    photos = sorted(faces.glob("*/*.jpg"))
    if args.limit:
        photos = photos[:args.limit]
    if not photos:
        raise SystemExit(f"no photos under {faces}")

    # (a) face_recognition end to end, default settings
    fr_times: list[float] = []
    fr_found = 0
    if not args.skip_face_recognition:
        import face_recognition

        face_recognition.face_encodings(face_recognition.load_image_file(photos[0]))  # warm
        for p in photos:
            t = time.perf_counter()
            encs = face_recognition.face_encodings(face_recognition.load_image_file(p))
            fr_times.append(time.perf_counter() - t)
            fr_found += bool(encs)

    # (f) facegate's own engine end to end (decode, detect, 5-point align, embed), as the service runs it,
    # with dlib's descriptor and with the ONNX one, right after face_recognition on the same photos.
    from facegate.adapters.face.dlib import DlibFaceEngine
    from facegate.ports import FaceOptions

    options = FaceOptions(allow_largest=True, min_face_px=40)  # LFW photos often show a second face
    engines = {"dlib": DlibFaceEngine(), "ONNX": DlibFaceEngine(ResnetOnnxDescriber.from_cache(
        Path(tempfile.mkdtemp(prefix="fg-bench-")), threads=args.threads))}
    fg_times: dict[str, list[float]] = {k: [] for k in engines}
    fg_vecs: dict[str, dict[Path, np.ndarray]] = {k: {} for k in engines}
    for label, eng in engines.items():
        eng.embed(photos[0].read_bytes(), options)  # warm
        for p in photos:
            data = p.read_bytes()
            t = time.perf_counter()
            try:
                fg_vecs[label][p] = eng.embed(data, options).vector
            except Exception:  # noqa: BLE001 - a photo with no detectable face is counted, not fatal
                pass
            fg_times[label].append(time.perf_counter() - t)
    batch_t = time.perf_counter()
    for start in range(0, len(photos), args.batch):
        engines["ONNX"].embed_many([p.read_bytes() for p in photos[start:start + args.batch]], options)
    fg_batched = (time.perf_counter() - batch_t) / len(photos)

    # chips, with the steps of our own pipeline timed
    detector = dlib.get_frontal_face_detector()
    predictor = dlib.shape_predictor(frm.pose_predictor_model_location())
    rec = dlib.face_recognition_model_v1(frm.face_recognition_model_location())
    chips, prep_times, fallbacks = [], [], 0
    for p in photos:
        t = time.perf_counter()
        img = np.asarray(Image.open(p).convert("RGB"))
        h, w = img.shape[:2]
        boxes = list(detector(img, 1))
        if boxes:
            cx, cy = w / 2, h / 2
            box = min(boxes, key=lambda r: (r.center().x - cx) ** 2 + (r.center().y - cy) ** 2)
        else:
            fallbacks += 1
            box = dlib.rectangle(int(w * 0.3), int(h * 0.3), int(w * 0.7), int(h * 0.7))
        chips.append(dlib.get_face_chip(img, predictor(img, box), size=150, padding=0.25))
        prep_times.append(time.perf_counter() - t)
    chip_arr = np.stack(chips)

    # (b) dlib descriptor per chip
    rec.compute_face_descriptor(chips[0])
    dlib_times, dlib_desc = [], []
    for c in chips:
        t = time.perf_counter()
        dlib_desc.append(np.asarray(rec.compute_face_descriptor(c), dtype=np.float32))
        dlib_times.append(time.perf_counter() - t)
    dlib_arr = np.stack(dlib_desc)

    # (c) ONNX: conversion, one by one, batched
    with tempfile.TemporaryDirectory() as cache:
        t = time.perf_counter()
        onnx = ResnetOnnxDescriber(cache, threads=args.threads)
        onnx.warm_up()
        convert_s = time.perf_counter() - t
        single_times, onnx_single = [], []
        for c in chips:
            t = time.perf_counter()
            onnx_single.append(onnx.describe(c[None])[0])
            single_times.append(time.perf_counter() - t)
        batch_times = []
        onnx_parts = []
        for i in range(0, len(chip_arr), args.batch):
            b = chip_arr[i:i + args.batch]
            t = time.perf_counter()
            onnx_parts.append(onnx.describe(b))
            batch_times.append((time.perf_counter() - t) / len(b))
        onnx_arr = np.concatenate(onnx_parts)

    # (d) agreement
    cos = (onnx_arr * dlib_arr).sum(1) / np.linalg.norm(onnx_arr, axis=1) / np.linalg.norm(dlib_arr, axis=1)
    eu = np.linalg.norm(onnx_arr - dlib_arr, axis=1)
    single_vs_batch = float(np.abs(np.stack(onnx_single) - onnx_arr).max())

    # (e) LFW pairs
    pairs = [pr for pr in read_pairs(faces) if pr[0] in set(photos) and pr[1] in set(photos)] \
        if (faces / "pairsDevTest.txt").exists() else []
    index = {p: i for i, p in enumerate(photos)}
    lfw_rows: list[str] = []
    rate_rows: list[str] = []
    chip_acc: dict[str, float] = {}
    flips = 0
    false_accept: float | None = None
    false_reject: float | None = None
    if pairs:
        for label, arr in (("dlib", dlib_arr), ("ONNX", onnx_arr)):
            acc, best_t, best_acc = pair_accuracy({p: arr[i] for p, i in index.items()}, pairs, THRESHOLD)
            chip_acc[label] = acc
            lfw_rows.append(f"| {label} | {len(pairs)} | {acc * 100:.2f} % | {best_t:.3f} | {best_acc * 100:.2f} % |")
        dd = np.array([np.linalg.norm(dlib_arr[index[a]] - dlib_arr[index[b]]) for a, b, _ in pairs])
        do = np.array([np.linalg.norm(onnx_arr[index[a]] - onnx_arr[index[b]]) for a, b, _ in pairs])
        flips = int(((dd <= THRESHOLD) != (do <= THRESHOLD)).sum())
        same = np.array([sm for _, _, sm in pairs])
        false_accept = float(((do <= THRESHOLD) & ~same).sum() / (~same).sum()) if (~same).any() else None
        false_reject = float(((do > THRESHOLD) & same).sum() / same.sum()) if same.any() else None
        rate_rows = [
            f"| {t:.2f}{' (default)' if t == 0.6 else ''} | {((do <= t) & ~same).sum() / (~same).sum() * 100:.1f} % "
            f"| {((do > t) & same).sum() / same.sum() * 100:.1f} % | {((do <= t) == same).mean() * 100:.2f} % |"
            for t in (0.45, 0.5, 0.55, 0.6, 0.65)
        ]

    fg_rows: list[str] = []
    fg_acc: dict[str, tuple[float, int]] = {}
    for label in engines:
        vecs = fg_vecs[label]
        usable = [pr for pr in pairs if pr[0] in vecs and pr[1] in vecs]
        acc = pair_accuracy(vecs, usable, THRESHOLD)[0] if usable else float("nan")
        fg_acc[label] = (acc, len(usable))
        fg_rows.append(f"| facegate engine, {label} descriptor | {_ms(fg_times[label])} | "
                       f"{len(vecs)}/{len(photos)} | {len(usable)} | {acc * 100:.2f} % |")
    fg_rows.append(f"| facegate engine, ONNX, batches of {args.batch} (`embed_many`) | "
                   f"{fg_batched * 1000:.1f} ms mean | | | |")
    speedup = (statistics.mean(fr_times) / statistics.mean(fg_times["ONNX"])) if fr_times else float("nan")

    n = len(photos)
    cpu = platform.processor() or platform.machine()
    lines = [
        "## Face descriptor benchmark",
        "",
        f"{n} photos from `{faces.name}`; {os.cpu_count()} CPUs ({cpu}); Python {platform.python_version()}; "
        f"dlib {dlib.__version__}; onnxruntime {__import__('onnxruntime').__version__}; "
        f"load average at the end {os.getloadavg()[0]:.2f} (other work on the machine inflates times).",
        f"Chips: HOG detector (upsample 1) + 68-point landmarks + `get_face_chip(150, 0.25)`; "
        f"no face found in {fallbacks} photos (centre box used).",
        "",
        "| What | Time |",
        "| --- | --- |",
    ]
    if fr_times:
        lines.append(f"| (a) face_recognition 1.3.0 `face_encodings(load_image_file(p))`, per photo | {_ms(fr_times)}; "
                     f"{sum(fr_times):.0f} s total, face found in {fr_found}/{n} |")
    lines += [
        f"| decode + detect + landmarks + chip (our pipeline before the descriptor), per photo | {_ms(prep_times)} |",
        f"| (b) dlib `compute_face_descriptor(chip)`, per chip | {_ms(dlib_times)} |",
        f"| (c) ONNX `describe(chip[None])`, per chip | {_ms(single_times)} |",
        f"| (c) ONNX `describe(batch of {args.batch})`, per chip | {_ms(batch_times)} |",
        f"| ONNX model conversion from the .dat + session start (first use) | {convert_s:.2f} s |",
        "",
        f"Speed-up of the descriptor: {statistics.mean(dlib_times) / statistics.mean(single_times):.1f}x single, "
        f"{statistics.mean(dlib_times) / statistics.mean(batch_times):.1f}x batched.",
        "",
        "| (d) ONNX vs dlib agreement, every photo | min | mean |",
        "| --- | --- | --- |",
        f"| cosine similarity | {cos.min():.9f} | {cos.mean():.9f} |",
        f"| Euclidean distance (max / mean) | {eu.max():.2e} | {eu.mean():.2e} |",
        "",
        f"Single vs batched ONNX descriptors, max abs difference: {single_vs_batch:.2e}.",
        "",
    ]
    if lfw_rows:
        lines += [
            "| (e) LFW dev-test pairs | pairs | accuracy at 0.6 | best threshold | accuracy at best |",
            "| --- | --- | --- | --- | --- |",
            *lfw_rows,
            "",
            f"Pairs on which dlib and ONNX decide differently at 0.6: {flips}. The best threshold is "
            "chosen on the same pairs it is scored on, so that column is an upper bound.",
            "",
            "Match threshold (`FACEGATE_MATCH_THRESHOLD`, Euclidean distance) and its error rates on the "
            f"{len(pairs)} LFW pairs (false accept: different people matched; false reject: same person refused):",
            "",
            "| threshold | false accept | false reject | accuracy |",
            "| --- | --- | --- | --- |",
            *rate_rows,
            "",
        ]
    lines += [
        "### End to end: facegate's engine against face_recognition 1.3.0 (target: at least 3x faster)",
        "",
        "Decode, HOG detection (no upsampling; a second, upsampled pass only for small photos with no face), "
        "5-point alignment and the 128-d descriptor, exactly as the service runs them, on the same photos "
        "in this run. LFW accuracy over the pairs where both photos have a detected face, at 0.6.",
        "",
        "| pipeline | per photo | faces found | pairs | LFW accuracy at 0.6 |",
        "| --- | --- | --- | --- | --- |",
        *([f"| face_recognition 1.3.0, default settings | {_ms(fr_times)} | {fr_found}/{len(photos)} | | |"]
          if fr_times else []),
        *fg_rows,
        "",
        f"**End-to-end speed-up of facegate (ONNX, one photo at a time) over face_recognition: {speedup:.1f}x** "
        f"(target 3x: {'met' if speedup >= 3 else 'NOT met'}).",
        "",
    ]
    text = "\n".join(lines)
    print(text)
    if args.out:
        Path(args.out).write_text(text + "\n")
    write_summary(args.summary, summary_rows(
        n=n, min_cos=float(cos.min()), flips=flips, n_pairs=len(pairs), chip_acc=chip_acc, fg_acc=fg_acc,
        fr_ms=statistics.mean(fr_times) * 1e3 if fr_times else None,
        onnx_ms=statistics.mean(fg_times["ONNX"]) * 1e3, batched_ms=fg_batched * 1e3,
        false_accept=false_accept, false_reject=false_reject))


if __name__ == "__main__":
    main()
