"""facegate's Python client, sync (`Client`) and async (`AsyncClient`), on httpx.

    from facegate.client import Client, Refused

    with Client("http://127.0.0.1:8000", api_key=KEY) as fg:
        d = fg.deployment("westlake-hotel-front-desk")
        fg.give_consent(d.id, "guest-7", "check_in", d.notice_version)
        fg.enroll(d.id, "guest-7", "check_in", "obama.jpg")
        try:
            print(fg.verify(d.id, "guest-7", "check_in", "obama2.jpg").is_match)
        except Refused as refusal:          # the gate said no: offer refusal.decision.alternatives
            print(refusal.code, refusal.article_id)

Every refusal and error is an exception from ``facegate.client.errors`` with the stable ``code``.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import IO, Any, Generic, Literal, TypeVar

import httpx

from facegate.client import results as r
from facegate.client.errors import (
    ApiError,
    Conflict,
    Forbidden,
    ImageRejected,
    InvalidRequest,
    NotFound,
    RateLimited,
    Refused,
    Unauthorized,
    Unavailable,
    error_from_problem,
)

__all__ = ["ApiError", "AsyncClient", "Client", "Conflict", "Forbidden", "ImageRejected", "InvalidRequest",
           "NotFound", "RateLimited", "Refused", "Unauthorized", "Unavailable", "r"]

Image = bytes | str | os.PathLike[str] | IO[bytes]
T = TypeVar("T")
Upload = Literal["raw", "multipart"]


def _image_bytes(image: Image) -> bytes:
    if isinstance(image, bytes):
        return image
    if isinstance(image, (str, os.PathLike)):
        with open(image, "rb") as f:
            return f.read()
    return image.read()


@dataclass(frozen=True)
class _Call(Generic[T]):
    """One request and how to read its answer (a T), shared by the sync and async clients."""

    method: str
    path: str
    parse: Callable[[Any], T]
    params: dict[str, Any] | None = None
    json: dict[str, Any] | None = None
    image: bytes | None = None


def _kwargs(call: _Call[Any], upload: Upload) -> dict[str, Any]:
    kw: dict[str, Any] = {"params": call.params, "json": call.json}
    if call.image is not None:
        if upload == "multipart":
            kw["files"] = {"image": ("image", call.image, "application/octet-stream")}
        else:
            kw["content"] = call.image
            kw["headers"] = {"Content-Type": "application/octet-stream"}
    return kw


def _result(call: _Call[T], response: httpx.Response) -> T:
    if response.is_success:
        return call.parse(response.json())
    try:
        problem = response.json()
    except ValueError:
        problem = {"code": f"http_{response.status_code}", "detail": response.text[:200]}
    raise error_from_problem(response.status_code, problem if isinstance(problem, dict) else {})


class _Calls:
    """The API's operations as request descriptions, shared by the sync and async clients."""

    @staticmethod
    def deployment(deployment_id: str) -> _Call[r.Deployment]:
        return _Call("GET", f"/v1/deployments/{deployment_id}", r.Deployment.from_json)

    @staticmethod
    def deployments() -> _Call[list[r.Deployment]]:
        return _Call("GET", "/v1/deployments", lambda b: [r.Deployment.from_json(d) for d in b])

    @staticmethod
    def give_consent(deployment_id: str, subject_ref: str, purpose: str, notice_version: str, *,
                     channel: str = "api", birth_date: date | None = None, guardian_ref: str | None = None,
                     guardian_relationship: str | None = None, age_attested_by: str | None = None,
                     separate_consents: tuple[str, ...] = ()) -> _Call[r.ConsentReceipt]:
        # M-7.1: where children may come, give birth_date or age_attested_by (who checked "14 or over").
        body = {"deployment_id": deployment_id, "subject_ref": subject_ref, "purpose": purpose,
                "notice_version": notice_version, "channel": channel,
                "actor": "guardian" if guardian_ref else "self",
                "birth_date": birth_date.isoformat() if birth_date else None, "guardian_ref": guardian_ref,
                "guardian_relationship": guardian_relationship, "age_attested_by": age_attested_by,
                "separate_consents": list(separate_consents)}
        return _Call("POST", "/v1/consents", lambda b: r.pick(r.ConsentReceipt, b), json=body)

    @staticmethod
    def record_notice(deployment_id: str, subject_ref: str, purpose: str, notice_version: str, *,
                      channel: str = "api", birth_date: date | None = None, age_attested_by: str | None = None,
                      separate_consents: tuple[str, ...] = ()) -> _Call[r.ConsentReceipt]:
        # A law, not consent, is the basis: the notice is still given and recorded first (M-5.1, M-6.7).
        body = {"deployment_id": deployment_id, "subject_ref": subject_ref, "purpose": purpose,
                "notice_version": notice_version, "channel": channel,
                "birth_date": birth_date.isoformat() if birth_date else None, "age_attested_by": age_attested_by,
                "separate_consents": list(separate_consents)}
        return _Call("POST", "/v1/notice-records", lambda b: r.pick(r.ConsentReceipt, b), json=body)

    @staticmethod
    def withdraw_consent(deployment_id: str, subject_ref: str, purpose: str | None = None) -> _Call[r.Withdrawn]:
        return _Call("POST", "/v1/consents/withdraw", lambda b: r.pick(r.Withdrawn, b),
                     json={"deployment_id": deployment_id, "subject_ref": subject_ref, "purpose": purpose})

    @staticmethod
    def enroll(deployment_id: str, subject_ref: str, purpose: str, image: Image) -> _Call[r.Enrolled]:
        return _Call("POST", f"/v1/deployments/{deployment_id}/enroll", r.enrolled,
                     params={"purpose": purpose, "subject_ref": subject_ref}, image=_image_bytes(image))

    @staticmethod
    def verify(deployment_id: str, subject_ref: str, purpose: str, image: Image) -> _Call[r.Verified]:
        return _Call("POST", f"/v1/deployments/{deployment_id}/verify", r.verified,
                     params={"purpose": purpose, "subject_ref": subject_ref}, image=_image_bytes(image))

    @staticmethod
    def identify(deployment_id: str, purpose: str, image: Image, *, top_k: int = 5) -> _Call[r.Identified]:
        return _Call("POST", f"/v1/deployments/{deployment_id}/identify", r.identified,
                     params={"purpose": purpose, "top_k": top_k}, image=_image_bytes(image))

    @staticmethod
    def delete_subject(deployment_id: str, subject_ref: str) -> _Call[r.Deleted]:
        return _Call("DELETE", f"/v1/deployments/{deployment_id}/subjects/{subject_ref}",
                     lambda b: r.pick(r.Deleted, b))

    @staticmethod
    def held(deployment_id: str, subject_ref: str) -> _Call[dict[str, Any]]:
        return _Call("GET", f"/v1/deployments/{deployment_id}/subjects/{subject_ref}", lambda b: b)


def _headers(api_key: str | None) -> dict[str, str]:
    return {"Authorization": f"Bearer {api_key}"} if api_key else {}


class Client:
    """Blocking client; one httpx.Client (connection pool) per instance. Use it as a context manager."""

    def __init__(self, base_url: str, api_key: str | None = None, *, timeout: float = 30.0,
                 upload: Upload = "raw", http: httpx.Client | None = None) -> None:
        self.upload = upload
        self._http = http or httpx.Client(base_url=base_url, headers=_headers(api_key), timeout=timeout)

    def __repr__(self) -> str:  # never the key
        return f"Client({str(self._http.base_url)!r})"

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def _send(self, call: _Call[T]) -> T:
        try:
            response = self._http.request(call.method, call.path, **_kwargs(call, self.upload))
        except httpx.TransportError as exc:
            raise Unavailable(0, "unreachable", f"facegate cannot be reached: {type(exc).__name__}.") from exc
        return _result(call, response)

    def deployment(self, deployment_id: str) -> r.Deployment:
        return self._send(_Calls.deployment(deployment_id))

    def deployments(self) -> list[r.Deployment]:
        return self._send(_Calls.deployments())

    def give_consent(self, deployment_id: str, subject_ref: str, purpose: str, notice_version: str,
                     **kw: Any) -> r.ConsentReceipt:
        return self._send(_Calls.give_consent(deployment_id, subject_ref, purpose, notice_version, **kw))

    def record_notice(self, deployment_id: str, subject_ref: str, purpose: str, notice_version: str,
                      **kw: Any) -> r.ConsentReceipt:
        return self._send(_Calls.record_notice(deployment_id, subject_ref, purpose, notice_version, **kw))

    def withdraw_consent(self, deployment_id: str, subject_ref: str, purpose: str | None = None) -> r.Withdrawn:
        return self._send(_Calls.withdraw_consent(deployment_id, subject_ref, purpose))

    def enroll(self, deployment_id: str, subject_ref: str, purpose: str, image: Image) -> r.Enrolled:
        return self._send(_Calls.enroll(deployment_id, subject_ref, purpose, image))

    def verify(self, deployment_id: str, subject_ref: str, purpose: str, image: Image) -> r.Verified:
        return self._send(_Calls.verify(deployment_id, subject_ref, purpose, image))

    def identify(self, deployment_id: str, purpose: str, image: Image, *, top_k: int = 5) -> r.Identified:
        return self._send(_Calls.identify(deployment_id, purpose, image, top_k=top_k))

    def delete_subject(self, deployment_id: str, subject_ref: str) -> r.Deleted:
        return self._send(_Calls.delete_subject(deployment_id, subject_ref))

    def held(self, deployment_id: str, subject_ref: str) -> dict[str, Any]:
        return self._send(_Calls.held(deployment_id, subject_ref))


class AsyncClient:
    """The same operations for asyncio; one httpx.AsyncClient per instance."""

    def __init__(self, base_url: str, api_key: str | None = None, *, timeout: float = 30.0,
                 upload: Upload = "raw", http: httpx.AsyncClient | None = None) -> None:
        self.upload = upload
        self._http = http or httpx.AsyncClient(base_url=base_url, headers=_headers(api_key), timeout=timeout)

    def __repr__(self) -> str:
        return f"AsyncClient({str(self._http.base_url)!r})"

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    async def _send(self, call: _Call[T]) -> T:
        try:
            response = await self._http.request(call.method, call.path, **_kwargs(call, self.upload))
        except httpx.TransportError as exc:
            raise Unavailable(0, "unreachable", f"facegate cannot be reached: {type(exc).__name__}.") from exc
        return _result(call, response)

    async def deployment(self, deployment_id: str) -> r.Deployment:
        return await self._send(_Calls.deployment(deployment_id))

    async def deployments(self) -> list[r.Deployment]:
        return await self._send(_Calls.deployments())

    async def give_consent(self, deployment_id: str, subject_ref: str, purpose: str, notice_version: str,
                           **kw: Any) -> r.ConsentReceipt:
        return await self._send(_Calls.give_consent(deployment_id, subject_ref, purpose, notice_version, **kw))

    async def record_notice(self, deployment_id: str, subject_ref: str, purpose: str, notice_version: str,
                            **kw: Any) -> r.ConsentReceipt:
        return await self._send(_Calls.record_notice(deployment_id, subject_ref, purpose, notice_version, **kw))

    async def withdraw_consent(self, deployment_id: str, subject_ref: str, purpose: str | None = None) -> r.Withdrawn:
        return await self._send(_Calls.withdraw_consent(deployment_id, subject_ref, purpose))

    async def enroll(self, deployment_id: str, subject_ref: str, purpose: str, image: Image) -> r.Enrolled:
        return await self._send(_Calls.enroll(deployment_id, subject_ref, purpose, image))

    async def verify(self, deployment_id: str, subject_ref: str, purpose: str, image: Image) -> r.Verified:
        return await self._send(_Calls.verify(deployment_id, subject_ref, purpose, image))

    async def identify(self, deployment_id: str, purpose: str, image: Image, *, top_k: int = 5) -> r.Identified:
        return await self._send(_Calls.identify(deployment_id, purpose, image, top_k=top_k))

    async def delete_subject(self, deployment_id: str, subject_ref: str) -> r.Deleted:
        return await self._send(_Calls.delete_subject(deployment_id, subject_ref))

    async def held(self, deployment_id: str, subject_ref: str) -> dict[str, Any]:
        return await self._send(_Calls.held(deployment_id, subject_ref))
