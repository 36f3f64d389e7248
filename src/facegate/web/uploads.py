"""multipart/form-data image uploads, parsed in memory from the capped body (never spooled to disk).

Starlette's own form parser writes file parts over 1 MB to a temporary file; a face image must
never touch the disk, so the body is read with the usual cap and split here with python-multipart's
low-level parser, which only hands us byte ranges.
"""

from __future__ import annotations

from python_multipart.multipart import MultipartParser, parse_options_header

from facegate.errors import ImageRejected

IMAGE_FIELDS = (b"image", b"file", b"photo")  # what HTTP clients and browsers usually name it


def _invalid(en: str, zh: str) -> ImageRejected:
    return ImageRejected("multipart_invalid", en, zh, status=400)


def _parts(boundary: bytes, body: bytes) -> list[tuple[dict[bytes, bytes], bytes]]:
    parts: list[tuple[dict[bytes, bytes], bytes]] = []
    headers: dict[bytes, bytes] = {}
    field: list[bytes] = []
    value: list[bytes] = []
    data: list[bytes] = []

    def on_part_begin() -> None:
        headers.clear()
        data.clear()

    def on_header_field(buf: bytes, start: int, end: int) -> None:
        field.append(buf[start:end])

    def on_header_value(buf: bytes, start: int, end: int) -> None:
        value.append(buf[start:end])

    def on_header_end() -> None:
        headers[b"".join(field).strip().lower()] = b"".join(value).strip()
        field.clear()
        value.clear()

    def on_part_data(buf: bytes, start: int, end: int) -> None:
        data.append(buf[start:end])

    def on_part_end() -> None:
        parts.append((dict(headers), b"".join(data)))

    parser = MultipartParser(boundary, {
        "on_part_begin": on_part_begin, "on_header_field": on_header_field, "on_header_value": on_header_value,
        "on_header_end": on_header_end, "on_part_data": on_part_data, "on_part_end": on_part_end})
    try:
        parser.write(body)
        parser.finalize()
    except Exception:  # noqa: BLE001 - python-multipart raises several types for a malformed body
        raise _invalid("The multipart body is malformed.", "multipart请求体格式不正确。") from None
    return parts


def image_from_multipart(content_type: str, body: bytes) -> bytes:
    """The image part of a form upload: the part named image, file or photo, or the only file part."""
    _, params = parse_options_header(content_type)
    boundary = params.get(b"boundary")
    if not boundary:
        raise _invalid("The multipart body has no boundary.", "multipart请求缺少boundary。")
    files: list[tuple[bytes, bytes]] = []
    for headers, data in _parts(boundary, body):
        _, disposition = parse_options_header(headers.get(b"content-disposition", b""))
        name = disposition.get(b"name", b"")
        if name in IMAGE_FIELDS or b"filename" in disposition:
            files.append((name, data))
    named = [data for name, data in files if name in IMAGE_FIELDS]
    if len(named) == 1:
        return named[0]
    if not named and len(files) == 1:
        return files[0][1]
    raise ImageRejected(
        "multipart_image_missing" if not files else "multipart_ambiguous",
        "Send exactly one image, in a form field named image.",
        "请在名为image的表单字段中上传且仅上传一张图像。", status=422)
