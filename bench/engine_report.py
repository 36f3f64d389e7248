"""bench_engine.py's rows of the summary table (bench/summary.py): every verdict computed from its figures."""

from __future__ import annotations

from summary import row

THRESHOLD = 0.6  # FACEGATE_MATCH_THRESHOLD's default (Euclidean)
COSINE_TARGET = 0.9999
ACCURACY_POINTS = 0.2  # ONNX within this many points of dlib on LFW
SPEEDUP_TARGET = 3.0


def summary_rows(*, n: int, min_cos: float, flips: int, n_pairs: int, chip_acc: dict[str, float],
                 fg_acc: dict[str, tuple[float, int]], fr_ms: float | None, onnx_ms: float, batched_ms: float,
                 false_accept: float | None, false_reject: float | None) -> list[dict]:
    """This benchmark's rows of the summary table; every verdict computed from the figures above."""
    rows = []

    cos_met = min_cos >= COSINE_TARGET
    cos_text = f"min cosine {min_cos:.9f}"
    rows.append(row("fast engine", f"embeddings agree with dlib on every LFW dev photo, cosine ≥ {COSINE_TARGET}",
                    f"{cos_text if cos_met else f'**{cos_text}**'} over {n:,} photos"
                    + (f"; {flips:,} of {n_pairs:,} pairs decided differently" if n_pairs else ""), cos_met))

    def points(a: float, b: float) -> float:
        return round(abs(a - b) * 100, 6)  # accuracies step by 0.1 point on 1,000 pairs: no float noise

    target = f"LFW accuracy of ONNX within {ACCURACY_POINTS} points of dlib, plain chips and facegate's pipeline"
    fg_ok = all(k in fg_acc and fg_acc[k][1] > 0 for k in ("dlib", "ONNX"))
    if "dlib" in chip_acc and fg_ok:
        chip_met = points(chip_acc["dlib"], chip_acc["ONNX"]) <= ACCURACY_POINTS
        fg_met = points(fg_acc["dlib"][0], fg_acc["ONNX"][0]) <= ACCURACY_POINTS
        chip_text = f"{chip_acc['dlib'] * 100:.2f}% (dlib) vs {chip_acc['ONNX'] * 100:.2f}% (ONNX)"
        fg_text = f"{fg_acc['dlib'][0] * 100:.2f}% vs {fg_acc['ONNX'][0] * 100:.2f}%"
        rows.append(row("fast engine", target,
                        f"{chip_text if chip_met else f'**{chip_text}**'}; "
                        f"{fg_text if fg_met else f'**{fg_text}**'} through facegate's pipeline", chip_met and fg_met))
    else:
        rows.append(row("fast engine", target, "**not measured** (no usable LFW pair among these photos)", False))

    target = f"end to end ≥ {SPEEDUP_TARGET:g}x faster than face_recognition 1.3.0, same photos, same run"
    if fr_ms is None:
        rows.append(row("fast engine", target, "**not measured** (face_recognition skipped)", False))
    else:
        ratio = fr_ms / onnx_ms
        ratio_text = f"{ratio:.1f}x" if ratio >= SPEEDUP_TARGET else f"**{ratio:.1f}x**"
        rows.append(row("fast engine", target, f"{fr_ms:.1f} ms vs {onnx_ms:.1f} ms per photo: {ratio_text} "
                        f"({batched_ms:.1f} ms batched)", ratio >= SPEEDUP_TARGET))

    def rate(x: float | None) -> str:
        return "n/a" if x is None else f"{x * 100:.1f}%"

    target = f"accuracy of the default engine and threshold on LFW dev ({n_pairs:,} pairs)"
    if "ONNX" in chip_acc:
        fg_text = (f"; facegate's own 5-point pipeline {fg_acc['ONNX'][0] * 100:.2f}% over {fg_acc['ONNX'][1]:,} pairs"
                   if fg_ok else "")
        rows.append(row("gated service", target,
                        f"{chip_acc['ONNX'] * 100:.2f}% at {THRESHOLD} (false accept {rate(false_accept)}, "
                        f"false reject {rate(false_reject)}){fg_text}", None))
    else:
        rows.append(row("gated service", target, "not measured (no LFW pair among these photos)", None))
    return rows
