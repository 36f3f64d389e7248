"""Printable bilingual signs for public-place deployments (Art. 13): SVG, PDF and PNG."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from xml.sax.saxutils import escape

import segno

from facegate.adapters.reports import html_to_pdf
from facegate.errors import ConfigurationError, Forbidden, InvalidInput

Size = Literal["A4", "A3"]
PAGE_MM = {"A4": (210, 297), "A3": (297, 420)}  # same aspect ratio: one layout scales to both
_W, _H = PAGE_MM["A4"]  # layout units are A4 millimetres
_FONT = "'Noto Sans CJK SC', 'Noto Sans SC', 'Source Han Sans SC', sans-serif"
_BLUE = "#1f3a5f"
_NO_LINE_START = set("，。、；：！？）》」』”’,.;:!?)")


@dataclass(frozen=True)
class SignSpec:
    """What the sign says; ``venue_is_private_space`` comes from the device registry (M-13.1)."""

    deployment_id: str
    processor_name: str
    contact: str
    purpose_zh: str
    purpose_en: str
    capture_area_zh: str
    capture_area_en: str
    notice_url: str
    venue_is_private_space: bool
    alternatives_zh: str = ""
    alternatives_en: str = ""
    # No public address configured (the QR code would lead to this machine): printed as a sample, not to post.
    is_sample: bool = False
    processor_name_en: str = ""  # the English line; the Chinese name stands in when empty


def _check(spec: SignSpec) -> None:
    if spec.venue_is_private_space:
        # Forbidden, not InvalidInput: the request is well-formed but the law
        # bans the installation itself, with no override (M-13.4); a sign
        # would make an unlawful camera look lawful.
        raise Forbidden("sign_private_space",
                        "Face recognition devices may not be installed in private spaces, so no sign is issued.",
                        "公共场所中的私密空间内不得安装人脸识别设备，不予生成提示标识。",
                        article_id="M-13.4", detail={"deployment_id": spec.deployment_id})
    if not spec.notice_url.startswith(("https://", "http://")):
        raise InvalidInput("notice_url_invalid", "The notice URL must be an http(s) address.",
                           "告知页面地址须为 http(s) 地址。", article_id="M-13.2")
    required = ("processor_name", "contact", "purpose_zh", "purpose_en", "capture_area_zh", "capture_area_en")
    blank = [name for name in required if not str(getattr(spec, name)).strip()]
    if blank:
        raise InvalidInput("sign_field_missing", f"The sign needs: {', '.join(blank)}.",
                           f"提示标识缺少：{', '.join(blank)}。", article_id="M-13.2", detail={"missing": blank})


def _is_wide(char: str) -> bool:
    return unicodedata.east_asian_width(char) in "WF"


def _width(text: str, size: float) -> float:
    # Noto Sans CJK: ideographs are one em; Latin averages a little over half,
    # so this errs towards wrapping early rather than running off the sign.
    return sum(size if _is_wide(c) else 0.56 * size for c in text)


def _wrap(text: str, size: float, width: float) -> list[str]:
    """Greedy line breaking: CJK between any two characters, Latin at spaces."""
    tokens: list[str] = []
    for char in " ".join(text.split()):
        prev = tokens[-1][-1] if tokens else " "
        joins_word = char != " " and prev != " " and not _is_wide(char) and not _is_wide(prev)
        if tokens and (joins_word or char in _NO_LINE_START):
            tokens[-1] += char
        else:
            tokens.append(char)
    lines, line = [], ""
    for token in tokens:
        if line and _width(line + token, size) > width:
            lines.append(line.rstrip())
            line = token.lstrip()
        else:
            line += token
    return [*lines, line.rstrip()] if line.strip() else lines


def _text(x: float, y: float, size: float, body: str, *, lang: str = "zh-CN", fill: str = "#111",
          weight: str = "normal") -> str:
    return (f'<text x="{x:.2f}" y="{y:.2f}" font-size="{size}" font-weight="{weight}" fill="{fill}" '
            f'xml:lang="{lang}">{escape(body)}</text>')


def _qr_svg(url: str, x: float, y: float, size: float) -> str:
    """The QR code as one vector path, so it prints sharp at any size."""
    qr = segno.make(url, error="q", micro=False)  # level Q survives a dirty or scuffed sign
    rows = [list(row) for row in qr.matrix_iter(scale=1, border=4)]
    d = []
    for r, row in enumerate(rows):
        c = 0
        while c < len(row):
            if row[c]:
                start = c
                while c < len(row) and row[c]:
                    c += 1
                d.append(f"M{start} {r}h{c - start}v1h-{c - start}z")
            else:
                c += 1
    scale = size / len(rows)
    return (f'<g transform="translate({x:.2f} {y:.2f}) scale({scale:.4f})" shape-rendering="crispEdges">'
            f'<rect width="{len(rows)}" height="{len(rows)}" fill="#fff"/>'
            f'<path d="{"".join(d)}" fill="#000"/></g>')


def render_sign_svg(spec: SignSpec, size: Size = "A4") -> str:
    """The sign as a standalone SVG document sized for ``size`` paper."""
    _check(spec)
    if size not in PAGE_MM:
        raise InvalidInput("sign_size_unsupported", "Sign size must be A4 or A3.", "标识尺寸须为 A4 或 A3。")
    out = [
        f'<rect x="5" y="5" width="{_W - 10}" height="{_H - 10}" fill="#fff" stroke="{_BLUE}" stroke-width="2"/>',
        f'<rect x="5" y="5" width="{_W - 10}" height="42" fill="{_BLUE}"/>',
        # A camera pictogram, so the sign reads at a glance before any text.
        '<g fill="#fff"><rect x="14" y="17" width="24" height="16" rx="2"/><polygon points="38,21 46,16 46,34 38,29"/>'
        f'<circle cx="26" cy="25" r="5" fill="{_BLUE}"/><circle cx="26" cy="25" r="2.6"/></g>',
        _text(54, 25, 13, "您已进入人脸识别区域", fill="#fff", weight="bold"),
        _text(54, 37, 7, "You are entering a face recognition area", lang="en", fill="#fff"),
    ]
    sections = [
        ("采集区域", "Capture area", spec.capture_area_zh, spec.capture_area_en),
        ("处理目的", "Purpose", spec.purpose_zh, spec.purpose_en),
        ("个人信息处理者及联系方式", "Handler and contact", spec.processor_name,
         f"{spec.processor_name_en or spec.processor_name}; {spec.contact}"),
    ]
    if spec.alternatives_zh.strip() or spec.alternatives_en.strip():
        # The non-face way through belongs on the sign itself (M-10.1, M-10.2).
        sections.append(("不愿刷脸？", "Prefer not to use your face?", spec.alternatives_zh, spec.alternatives_en))
    y, qr_top, width = 58.0, 210.0, _W - 26
    for label_zh, label_en, zh, en in sections:
        out.append(_text(13, y, 5, f"{label_zh}  {label_en}", fill=_BLUE, weight="bold"))
        y += 7
        for body, fsize, lang, fill in ((zh, 5.4, "zh-CN", "#111"), (en, 4.2, "en", "#444")):
            for line in _wrap(body, fsize, width):
                out.append(_text(13, y, fsize, line, lang=lang, fill=fill))
                y += fsize * 1.45
        y += 3.5
    if y > qr_top:
        # Overflowing text would hide the QR code or fall off the sign (M-13.2 "prominent").
        raise InvalidInput("sign_text_too_long", "The sign texts are too long to fit; shorten them.",
                           "提示标识文字过长，请精简。", article_id="M-13.2")
    out.append(_qr_svg(spec.notice_url, 10, qr_top, 66))
    out.append(_text(84, qr_top + 18, 7, "扫码查看完整告知", weight="bold"))
    out.append(_text(84, qr_top + 28, 5, "Scan for the full notice", lang="en"))
    for i, line in enumerate(_wrap(spec.notice_url.replace("/", "/ "), 3.6, _W - 96)):
        out.append(_text(84, qr_top + 38 + i * 5, 3.6, line.replace("/ ", "/"), lang="en", fill="#444"))
    out.append(_text(13, _H - 12, 3.2, f"依据《人脸识别技术应用安全管理办法》第十三条设置 · Required by Art. 13 of the "
                                       f"Measures · {spec.deployment_id}", fill="#555"))
    if spec.is_sample:
        # Beside the QR code, under its address, in red: this print is a sample, never for posting.
        lines = [*_wrap("样张：未配置公开地址，二维码无法使用，请勿张贴。", 4.4, _W - 96),
                 *_wrap("SAMPLE: no public address set (FACEGATE_PUBLIC_BASE_URL); the QR code leads nowhere. "
                        "Do not post.", 3.6, _W - 96)]
        for i, line in enumerate(lines):
            out.append(_text(84, qr_top + 52 + i * 5.2, 4.4 if i == 0 else 3.6, line, weight="bold", fill="#b00020",
                             lang="zh-CN" if i == 0 else "en"))
    w, h = PAGE_MM[size]
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}mm" height="{h}mm" viewBox="0 0 {_W} {_H}" '
            f'font-family="{_FONT}" xml:lang="zh-CN">'
            f'<title>{escape(spec.deployment_id)}</title>{"".join(out)}</svg>')


def render_sign_pdf(spec: SignSpec, size: Size = "A4") -> bytes:
    """One page, edge to edge, via WeasyPrint from an HTML page holding the SVG."""
    svg = render_sign_svg(spec, size)
    w, h = PAGE_MM[size]
    html = (f'<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>{escape(spec.deployment_id)}'
            f'</title><style>@page {{ size: {size}; margin: 0 }} html, body {{ margin: 0 }} '
            f'svg {{ display: block; width: {w}mm; height: {h}mm }}</style></head><body>{svg}</body></html>')
    return html_to_pdf(html)


def render_sign_png(spec: SignSpec, size: Size = "A4", *, dpi: int = 150) -> bytes:
    """The PDF rasterised by poppler's ``pdftoppm``, so PNG and PDF share one layout."""
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm is None:
        raise ConfigurationError("pdftoppm_missing", "PNG signs need pdftoppm; install poppler-utils.",
                                 "生成 PNG 标识需要 pdftoppm，请安装 poppler-utils。")
    pdf = render_sign_pdf(spec, size)
    with tempfile.TemporaryDirectory(prefix="facegate-sign-") as tmp:
        source = Path(tmp, "sign.pdf")
        source.write_bytes(pdf)
        subprocess.run([pdftoppm, "-png", "-r", str(int(dpi)), "-singlefile", str(source), str(Path(tmp, "sign"))],
                       check=True, capture_output=True, timeout=120)
        return Path(tmp, "sign.png").read_bytes()


__all__ = ["PAGE_MM", "SignSpec", "render_sign_pdf", "render_sign_png", "render_sign_svg"]
