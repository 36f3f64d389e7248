"""Request helpers: the app context, the caller, and reading an image body into memory only."""

from __future__ import annotations

from fastapi import Request

from facegate.bootstrap import AppContext
from facegate.errors import FacegateError, ImageRejected
from facegate.web.uploads import image_from_multipart


def app_ctx(request: Request) -> AppContext:
    ctx: AppContext = request.app.state.ctx
    return ctx


async def image_body(request: Request) -> bytes:
    """The raw image, streamed into memory with a hard cap: never spooled to a temp file."""
    limit = app_ctx(request).settings.max_image_bytes
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise ImageRejected("image_too_large", f"The image is larger than {limit} bytes.",
                            f"图像大于{limit}字节。", status=413, detail={"limit": limit})
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise ImageRejected("image_too_large", f"The image is larger than {limit} bytes.",
                                f"图像大于{limit}字节。", status=413, detail={"limit": limit})
        chunks.append(chunk)
    content_type = request.headers.get("content-type", "")
    if content_type.lower().startswith("multipart/form-data"):  # what most HTTP clients send
        return image_from_multipart(content_type, b"".join(chunks))
    return b"".join(chunks)


IMAGE_BODY = {
    "requestBody": {
        "required": True,
        "description": "The photo as raw bytes (JPEG, PNG, WebP...), or as a multipart/form-data field named "
                       "image. It is processed in memory and never stored.",
        "content": {"image/jpeg": {"schema": {"type": "string", "format": "binary"}},
                    "multipart/form-data": {"schema": {"type": "object", "required": ["image"], "properties": {
                        "image": {"type": "string", "format": "binary"}}}},
                    "image/png": {"schema": {"type": "string", "format": "binary"}},
                    "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
    }
}


async def capped_body(request: Request, limit: int, too_large: FacegateError) -> bytes:
    """The body, streamed into memory and refused with ``too_large`` once it passes ``limit`` bytes."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise too_large
        chunks.append(chunk)
    return b"".join(chunks)
