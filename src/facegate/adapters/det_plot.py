"""A DET curve (false match rate against false non-match rate, log-log) drawn with Pillow as PNG."""

from __future__ import annotations

import io
import math

from PIL import Image, ImageDraw

from facegate.domain.openset import Calibration

W, H, PAD = 720, 520, 70
FAR_RANGE = (1e-7, 1.0)
FRR_RANGE = (1e-3, 1.0)


def _x(v: float) -> float:
    lo, hi = (math.log10(r) for r in FAR_RANGE)
    return PAD + (math.log10(min(max(v, FAR_RANGE[0]), 1.0)) - lo) / (hi - lo) * (W - 2 * PAD)


def _y(v: float) -> float:
    lo, hi = (math.log10(r) for r in FRR_RANGE)
    return H - PAD - (math.log10(min(max(v, FRR_RANGE[0]), 1.0)) - lo) / (hi - lo) * (H - 2 * PAD)


def det_png(cal: Calibration, marks: dict[str, float]) -> bytes:
    """The curve over the calibration's grid; ``marks`` are labelled thresholds (e.g. the 1:1 one)."""
    img = Image.new("RGB", (W, H), "white")
    g = ImageDraw.Draw(img)
    for e in range(-7, 1):  # decade grid lines
        g.line([(_x(10.0 ** e), PAD), (_x(10.0 ** e), H - PAD)], fill=(225, 225, 225))
        g.text((_x(10.0 ** e) - 12, H - PAD + 6), f"1e{e}", fill="black")
    for e in range(-3, 1):
        g.line([(PAD, _y(10.0 ** e)), (W - PAD, _y(10.0 ** e))], fill=(225, 225, 225))
        g.text((PAD - 40, _y(10.0 ** e) - 6), f"1e{e}", fill="black")
    g.rectangle([PAD, PAD, W - PAD, H - PAD], outline="black")
    points = []
    for i, t in enumerate(cal.thresholds):
        far = cal.impostor_le[i] / cal.impostor_pairs
        if far <= 0:
            continue
        points.append((_x(far), _y(max(cal.frr(t), FRR_RANGE[0]))))
    if len(points) > 1:
        g.line(points, fill=(20, 90, 200), width=2)
    for label, t in marks.items():
        px, py = _x(cal.far(t)), _y(max(cal.frr(t), FRR_RANGE[0]))
        g.ellipse([px - 4, py - 4, px + 4, py + 4], fill=(200, 40, 40))
        g.text((px + 6, py - 14), f"{label}: {t:.3f}", fill=(200, 40, 40))
    g.text((W // 2 - 110, H - PAD + 26), "false match rate (impostor pairs accepted)", fill="black")
    g.text((8, PAD - 24), "false non-match rate (genuine pairs rejected)", fill="black")
    g.text((PAD, 12), f"DET: {cal.engine} on {cal.source} ({cal.people} people, {cal.photos} photos)", fill="black")
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()
