"""Decode untrusted image bytes safely into an RGB uint8 array, in memory only.

Guards against decompression bombs (byte and pixel limits checked before the
full decode), honours EXIF orientation, and normalises RGBA, palette,
grayscale and 16-bit images to 8-bit RGB.
"""

from __future__ import annotations

import io
import warnings

import numpy as np
from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError

from facegate.errors import ImageRejected

MAX_BYTES = 20 * 1024 * 1024
MAX_PIXELS = 25_000_000  # a 100-megapixel bomb is refused before decoding; phones send 12-24 MP
# Only formats a camera or a phone produces: Pillow would otherwise try some 45 decoders
# (EPS, FITS, PSD...) on untrusted bytes.
FORMATS = ("JPEG", "PNG", "WEBP", "GIF", "TIFF", "BMP")
MAX_ASPECT = 8.0  # phones and panoramas stay under 4:1; a strip of pixels holds no face


def _reject(code: str, en: str, zh: str, **detail: object) -> ImageRejected:
    return ImageRejected(code, en, zh, detail=dict(detail))


def _check_shape(width: int, height: int, min_side: int, max_aspect: float | None) -> None:
    """Refuse, from the header alone, shapes that cannot hold a usable face: a 1x25,000,000 PNG is
    within the pixel limit but cost seconds of CPU to decode and search (issue 11 item 8)."""
    if min(width, height) < min_side:
        raise _reject("image_too_small", f"The image is {width}x{height} pixels; each side must be at least "
                      f"{min_side} pixels to show a face.", f"图像为{width}x{height}像素，每边至少须{min_side}像素才能显示人脸。",
                      min_side=min_side)
    if max_aspect is not None and max(width, height) > max_aspect * min(width, height):
        raise _reject("image_shape_unusable", f"The image is {width}x{height} pixels; one side is more than "
                      f"{max_aspect:g} times the other.", f"图像为{width}x{height}像素，长边超过短边的{max_aspect:g}倍。",
                      max_aspect=max_aspect)


def decode_rgb(data: bytes, *, max_bytes: int = MAX_BYTES, max_pixels: int = MAX_PIXELS, min_side: int = 1,
               max_aspect: float | None = None) -> np.ndarray:
    """Return an (H, W, 3) uint8 array or raise ``ImageRejected`` with a stable code."""
    if not data:
        raise _reject("image_empty", "No image was sent.", "未收到图像。")
    if len(data) > max_bytes:
        raise _reject(
            "image_too_large", f"The image is larger than {max_bytes} bytes.",
            f"图像大于{max_bytes}字节。", limit=max_bytes,
        )
    # WeasyPrint (the PDF reports) sets this process-wide on import; a truncated face
    # photo padded with grey must be refused, not embedded.
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # corrupt EXIF and the like: the decode below decides
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img: Image.Image = Image.open(io.BytesIO(data), formats=FORMATS)
            width, height = img.size
            if width * height > max_pixels:
                raise _reject(
                    "image_too_many_pixels",
                    f"The image has {width}x{height} pixels, more than the limit of {max_pixels}.",
                    f"图像像素为{width}x{height}，超过上限{max_pixels}。", limit=max_pixels,
                )
            _check_shape(width, height, min_side, max_aspect)
            img.load()  # full decode: a truncated file fails here, not later
            img = ImageOps.exif_transpose(img)
    except ImageRejected:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise _reject(
            "image_too_many_pixels", "The image has more pixels than the limit.",
            "图像像素超过上限。", limit=max_pixels,
        ) from exc
    except UnidentifiedImageError as exc:
        raise _reject("image_undecodable", "The data is not an image we can read.", "无法识别该图像数据。") from exc
    except Exception as exc:  # noqa: BLE001 - decoders raise anything on hostile input (TypeError seen)
        raise _reject("image_corrupt", "The image is corrupt or truncated.", "图像已损坏或不完整。") from exc
    return _to_rgb8(img)


def _to_rgb8(img: Image.Image) -> np.ndarray:
    if img.mode in ("I;16", "I;16B", "I;16L", "I"):
        # 16/32-bit grayscale: scale to the 8-bit range rather than clipping.
        arr = np.asarray(img, dtype=np.float64)
        top = arr.max() or 1.0
        img = Image.fromarray((arr * (255.0 / top)).astype(np.uint8), "L")
    elif img.mode == "F":
        arr = np.asarray(img, dtype=np.float64)
        top = arr.max() or 1.0
        img = Image.fromarray(np.clip(arr * (255.0 / top), 0, 255).astype(np.uint8), "L")
    if img.mode in ("RGBA", "LA", "P", "PA"):
        img = img.convert("RGBA")
        background = Image.new("RGBA", img.size, (255, 255, 255, 255))
        img = Image.alpha_composite(background, img)
    arr = np.asarray(img.convert("RGB"), dtype=np.uint8)
    return np.ascontiguousarray(arr)


def thumbnail(rgb: np.ndarray, size: tuple[int, int] = (64, 48)) -> np.ndarray:
    """The whole frame, greyscale, block-averaged to ``size``: enough to see whether anything moved."""
    grey = rgb.astype(np.float32) @ np.array([0.299, 0.587, 0.114], np.float32)
    h, w = grey.shape
    ys = np.linspace(0, h, size[1] + 1).astype(int)
    xs = np.linspace(0, w, size[0] + 1).astype(int)
    rows = np.add.reduceat(grey, ys[:-1], axis=0) / np.diff(ys)[:, None]
    return np.add.reduceat(rows, xs[:-1], axis=1) / np.diff(xs)[None, :]
