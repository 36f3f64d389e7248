"""The exception tree: broken preconditions and bad input, each with a stable code.

A gate *refusal* is not an exception (it is a ``GateDecision`` value); these are
for input that cannot be processed at all and for things that do not exist.

    FacegateError                 code, status, message_en, message_zh
    ├── InvalidInput              400/413/422: malformed request or payload
    │   ├── ImageRejected         422: image decodes badly, no face, two faces, too small, bomb
    │   └── ManifestInvalid       422: deployment manifest fails validation (path + line)
    ├── NotFound                  404: unknown deployment, subject, consent, receipt
    ├── Conflict                  409: replayed submission, duplicate, state clash
    ├── Unauthorized              401: missing, unknown, revoked or forged key
    ├── Forbidden                 403: key lacks the role or scope
    ├── RateLimited               429: rate limit or intrusion lock
    ├── Unavailable               503: a resource the service needs is busy or down (port, database)
    └── ConfigurationError        500: unsafe or missing configuration (refused at start)

Messages never contain keys, templates or image bytes.
"""

from __future__ import annotations


class FacegateError(Exception):
    """Base of every facegate error; ``code`` is stable and documented."""

    status: int = 400
    default_code: str = "error"

    def __init__(
        self,
        code: str | None = None,
        message_en: str = "",
        message_zh: str = "",
        *,
        article_id: str | None = None,
        detail: dict[str, object] | None = None,
        status: int | None = None,
    ) -> None:
        self.code = code or self.default_code
        self.message_en = message_en or self.code
        self.message_zh = message_zh or self.message_en
        self.article_id = article_id
        self.detail = dict(detail or {})
        if status is not None:
            self.status = status
        super().__init__(f"{self.code}: {self.message_en}")


class InvalidInput(FacegateError):
    status = 422
    default_code = "invalid_input"


class ImageRejected(InvalidInput):
    status = 422
    default_code = "image_rejected"


class ManifestInvalid(InvalidInput):
    status = 422
    default_code = "manifest_invalid"


class NotFound(FacegateError):
    status = 404
    default_code = "not_found"


class Conflict(FacegateError):
    status = 409
    default_code = "conflict"


class Unauthorized(FacegateError):
    status = 401
    default_code = "unauthorized"


class Forbidden(FacegateError):
    status = 403
    default_code = "forbidden"


class RateLimited(FacegateError):
    status = 429
    default_code = "rate_limited"


class Unavailable(FacegateError):
    status = 503
    default_code = "unavailable"


class ConfigurationError(FacegateError):
    status = 500
    default_code = "configuration_error"
