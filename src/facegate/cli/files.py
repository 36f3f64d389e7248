"""Reading the files people name on the command line: never more than the service itself would accept.

`facegate enroll … /dev/zero` used to read until memory ran out (3.3 GB seen). Each
read stops one byte past its cap and refuses the file with a stable code instead.
"""

from __future__ import annotations

from pathlib import Path

from facegate.errors import ImageRejected, InvalidInput


def read_capped(path: Path, limit: int) -> bytes | None:
    """Up to ``limit`` bytes of ``path``; None when there is more. OSError passes through."""
    with path.open("rb") as f:
        data = f.read(limit + 1)
    return data if len(data) <= limit else None


def read_image(path: Path, limit: int) -> bytes:
    try:
        data = read_capped(path, limit)
    except OSError as exc:
        raise InvalidInput("image_unreadable", f"Cannot read {path}: {exc.strerror}.", f"无法读取{path}。") from None
    if data is None:
        raise ImageRejected("image_too_large", f"The image is larger than {limit} bytes.", f"图像大于{limit}字节。",
                            status=413, detail={"limit": limit})
    return data


def read_manifest(path: Path, limit_chars: int) -> str:
    """Manifest text; larger than the loader's limit (in UTF-8, at most 4 bytes a character) is refused here."""
    data = read_capped(path, limit_chars * 4)
    if data is None:
        raise InvalidInput("manifest_too_large", f"{path} is larger than a manifest can be.",
                           f"{path}超过部署清单的大小上限。", detail={"limit_chars": limit_chars})
    return data.decode("utf-8")
