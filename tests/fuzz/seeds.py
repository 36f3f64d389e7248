"""Seed corpora for the fuzzers, built in memory: small images of every mode we normalise, and the example manifests."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[2]


def _save(img: Image.Image, fmt: str, **kw: object) -> bytes:
    buf = io.BytesIO()
    img.save(buf, fmt, **kw)
    return buf.getvalue()


def _gradient(size: tuple[int, int] = (24, 16)) -> Image.Image:
    w, h = size
    x = np.linspace(0, 255, w, dtype=np.uint8)[None, :].repeat(h, 0)
    y = np.linspace(0, 255, h, dtype=np.uint8)[:, None].repeat(w, 1)
    return Image.fromarray(np.stack([x, y, 255 - x], axis=2))


def image_seeds() -> dict[str, bytes]:
    """Small, valid images in the formats and modes decode_rgb must handle, plus truncations of each."""
    rgb = _gradient()
    rgba = rgb.copy()
    rgba.putalpha(Image.linear_gradient("L").resize(rgb.size))
    pal = rgb.convert("P", palette=Image.Palette.ADAPTIVE, colors=16)
    gray = rgb.convert("L")
    g16 = Image.fromarray((np.asarray(gray, dtype=np.uint16) * 257))
    i32 = Image.fromarray(np.asarray(gray, dtype=np.int32) * 1000)
    f32 = Image.fromarray(np.asarray(gray, dtype=np.float32) / 7.0)
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: rotate 90
    frames = [rgb.convert("P"), rgb.rotate(90).convert("P")]
    anim = io.BytesIO()
    frames[0].save(anim, "GIF", save_all=True, append_images=frames[1:], duration=50, loop=0)

    seeds = {
        "rgb.jpg": _save(rgb, "JPEG", quality=80),
        "progressive.jpg": _save(rgb, "JPEG", progressive=True),
        "exif-rotated.jpg": _save(rgb, "JPEG", exif=exif.tobytes()),
        "cmyk.jpg": _save(rgb.convert("CMYK"), "JPEG"),
        "gray.jpg": _save(gray, "JPEG"),
        "rgb.png": _save(rgb, "PNG"),
        "rgba.png": _save(rgba, "PNG"),
        "palette.png": _save(pal, "PNG"),
        "palette-transparent.png": _save(pal, "PNG", transparency=0),
        "la.png": _save(rgba.convert("LA"), "PNG"),
        "gray16.png": _save(g16, "PNG"),
        "bilevel.png": _save(gray.convert("1"), "PNG"),
        "exif-rotated.png": _save(rgb, "PNG", exif=exif.tobytes()),
        "palette.gif": _save(pal, "GIF"),
        "animated.gif": anim.getvalue(),
        "lossy.webp": _save(rgb, "WEBP", quality=60),
        "lossless-rgba.webp": _save(rgba, "WEBP", lossless=True),
        "rgb.tiff": _save(rgb, "TIFF"),
        "lzw.tiff": _save(rgb, "TIFF", compression="tiff_lzw"),
        "deflate-rgba.tiff": _save(rgba, "TIFF", compression="tiff_adobe_deflate"),
        "gray16.tiff": _save(g16, "TIFF"),
        "int32.tiff": _save(i32, "TIFF"),
        "float.tiff": _save(f32, "TIFF"),
        "rgb.bmp": _save(rgb, "BMP"),
    }
    for name, data in list(seeds.items()):
        seeds[f"{name}.truncated"] = data[: max(8, len(data) // 2)]
        seeds[f"{name}.header-only"] = data[:32]
    return seeds


def manifest_seeds() -> dict[str, str]:
    """The example manifests shipped in examples/, compliant and not."""
    return {p.name: p.read_text(encoding="utf-8") for p in sorted((ROOT / "examples").glob("*.yaml"))}
