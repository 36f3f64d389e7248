"""Small charts as inline SVG, drawn on the server: no JavaScript, readable without colour alone."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from xml.sax.saxutils import escape

from markupsafe import Markup

COLOURS = {"face": "#1f6fb2", "alternative": "#2e8b57", "refused": "#c0392b", "photo": "#8a8f98", "consent": "#7d5ba6",
           "withdrawn": "#b7791f", "count": "#1f3a5f"}


def _svg(width: int, height: int, label: str, body: list[str]) -> Markup:
    return Markup(f'<svg class="chart" role="img" aria-label="{escape(label)}" viewBox="0 0 {width} {height}" '
                  f'width="100%" xmlns="http://www.w3.org/2000/svg"><title>{escape(label)}</title>'
                  + "".join(body) + "</svg>")


def trend(points: Sequence[tuple[date, int]], threshold: int, label: str, threshold_label: str) -> Markup:
    """Stored people per day as a line, with the 100,000 filing threshold drawn across (M-15.1, M-15.2)."""
    w, h, pad = 640, 220, 44
    top = max([threshold, *(n for _, n in points)]) * 1.1 or 1
    body = [f'<rect x="0" y="0" width="{w}" height="{h}" fill="#fff"/>']
    ty = h - pad - (h - 2 * pad) * threshold / top
    body.append(f'<line x1="{pad}" x2="{w - 10}" y1="{ty:.1f}" y2="{ty:.1f}" stroke="#c0392b" stroke-dasharray="6 4"/>')
    body.append(f'<text x="{pad + 4}" y="{ty - 5:.1f}" font-size="12" fill="#c0392b">{escape(threshold_label)}</text>')
    body.append(f'<line x1="{pad}" x2="{w - 10}" y1="{h - pad}" y2="{h - pad}" stroke="#999"/>')
    if points:
        step = (w - pad - 20) / max(len(points) - 1, 1)
        xy = [(pad + i * step, h - pad - (h - 2 * pad) * n / top) for i, (_, n) in enumerate(points)]
        body.append('<polyline fill="none" stroke="{}" stroke-width="2.5" points="{}"/>'.format(
            COLOURS["count"], " ".join(f"{x:.1f},{y:.1f}" for x, y in xy)))
        for (x, y), (day, n) in zip(xy, points, strict=True):
            body.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{COLOURS["count"]}">'
                        f'<title>{day.isoformat()}: {n:,}</title></circle>')
        body.append(f'<text x="{pad}" y="{h - pad + 18}" font-size="12">{points[0][0].isoformat()}</text>')
        body.append(f'<text x="{w - 10}" y="{h - pad + 18}" font-size="12" text-anchor="end">'
                    f'{points[-1][0].isoformat()}: {points[-1][1]:,}</text>')
    return _svg(w, h, label, body)


def stacked_days(days: Sequence[dict[str, object]], keys: Sequence[str], names: dict[str, str], label: str) -> Markup:
    """Per day, stacked bars of ``keys`` (e.g. face, alternative, refused), with a legend in words."""
    w, h, pad = 640, 220, 30
    totals = [sum(int(str(d[k])) for k in keys) for d in days]
    top = max(totals, default=0) or 1
    bw = (w - 2 * pad) / max(len(days), 1)
    body = [f'<rect x="0" y="0" width="{w}" height="{h}" fill="#fff"/>',
            f'<line x1="{pad}" x2="{w - pad}" y1="{h - pad}" y2="{h - pad}" stroke="#999"/>']
    for i, d in enumerate(days):
        y = float(h - pad)
        for k in keys:
            n = int(str(d[k]))
            if not n:
                continue
            bh = (h - 2 * pad - 20) * n / top
            y -= bh
            body.append(f'<rect x="{pad + i * bw + 1:.1f}" y="{y:.1f}" width="{max(bw - 2, 1):.1f}" height="{bh:.1f}" '
                        f'fill="{COLOURS[k]}"><title>{d["day"]}: {escape(names[k])} {n}</title></rect>')
    for j, k in enumerate(keys):
        body.append(f'<rect x="{pad + j * 150}" y="4" width="12" height="12" fill="{COLOURS[k]}"/>'
                    f'<text x="{pad + j * 150 + 16}" y="14" font-size="12">{escape(names[k])}</text>')
    return _svg(w, h, label, body)


def share_bar(parts: Sequence[tuple[str, int, str]], label: str) -> Markup:
    """One horizontal bar split by share (e.g. face vs alternative); the counts are printed beside it in HTML."""
    w, h = 200, 14
    total = sum(n for _, n, _ in parts)
    body, x = [f'<rect x="0" y="0" width="{w}" height="{h}" fill="#eef0f3"/>'], 0.0
    for name, n, colour in parts:
        bw = w * n / total if total else 0
        if bw:
            body.append(f'<rect x="{x:.1f}" y="0" width="{bw:.1f}" height="{h}" fill="{colour}">'
                        f'<title>{escape(name)}: {n}</title></rect>')
        x += bw
    legend = " · ".join(f"{name} {n}" for name, n, _ in parts)
    return _svg(w, h, f"{label}: {legend}", body) + Markup(f'<div class="muted">{escape(legend)}</div>')
