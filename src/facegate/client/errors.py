"""The client's exceptions: every problem+json answer becomes one of these, keyed by status and code.

    ApiError                  status, code, article_id, message_en, message_zh, problem
    ├── Refused               403 with a gate decision: .decision has the reasons and alternatives
    ├── InvalidRequest        400/413/422: malformed request or payload
    │   └── ImageRejected     no face, two faces, too small, undecodable, too large, bomb
    ├── NotFound              404: unknown deployment, subject, consent
    ├── Conflict              409
    ├── Unauthorized          401: missing, unknown, revoked or forged key
    ├── Forbidden             403 without a decision: the key lacks the role or scope
    ├── RateLimited           429: rate limit or intrusion lock
    └── Unavailable           5xx, or the server could not be reached
"""

from __future__ import annotations

from typing import Any

from facegate.client.results import Decision


class ApiError(Exception):
    """A problem+json answer (RFC 9457) from facegate; ``code`` is stable and documented."""

    def __init__(self, status: int, code: str, message_en: str = "", message_zh: str = "",
                 article_id: str | None = None, problem: dict[str, Any] | None = None) -> None:
        self.status = status
        self.code = code
        self.message_en = message_en or code
        self.message_zh = message_zh or self.message_en
        self.article_id = article_id
        self.problem = dict(problem or {})
        super().__init__(f"{status} {code}: {self.message_en}")


class Refused(ApiError):
    """The gate refused the operation; ``decision.alternatives`` are the non-face paths to offer (M-10.1)."""

    @property
    def decision(self) -> Decision:
        return Decision.from_json(self.problem.get("decision") or {})


class InvalidRequest(ApiError):
    pass


class ImageRejected(InvalidRequest):
    pass


class NotFound(ApiError):
    pass


class Conflict(ApiError):
    pass


class Unauthorized(ApiError):
    pass


class Forbidden(ApiError):
    pass


class RateLimited(ApiError):
    pass


class Unavailable(ApiError):
    pass


_IMAGE_CODES = {"no_face", "multiple_faces", "face_too_small", "image_undecodable", "image_too_large",
                "image_too_many_pixels", "image_truncated", "multipart_invalid", "multipart_image_missing",
                "multipart_ambiguous"}
_BY_STATUS: dict[int, type[ApiError]] = {401: Unauthorized, 404: NotFound, 409: Conflict, 429: RateLimited}


def error_from_problem(status: int, problem: dict[str, Any]) -> ApiError:
    """The one mapping from an HTTP problem to an exception class."""
    code = str(problem.get("code") or f"http_{status}")
    cls: type[ApiError]
    if status == 403:
        cls = Refused if "decision" in problem else Forbidden
    elif code in _IMAGE_CODES or code.startswith("image_"):
        cls = ImageRejected
    elif status in _BY_STATUS:
        cls = _BY_STATUS[status]
    elif status >= 500:
        cls = Unavailable
    else:
        cls = InvalidRequest
    return cls(status, code, str(problem.get("detail") or problem.get("title") or ""),
               str(problem.get("detail_zh") or ""), problem.get("article_id"), problem)
