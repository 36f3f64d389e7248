"""The ports: what the services need from the outside world, as Protocols.

Adapters implement these; ``bootstrap.build_context`` picks which.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any, Protocol, runtime_checkable

import numpy as np

from facegate.domain.access import ApiKey
from facegate.domain.audit import AuditEvent, ChainedEvent
from facegate.domain.chain import Checkpoint
from facegate.domain.head import HeadState
from facegate.domain.intrusion import SecurityEvent
from facegate.domain.liveness import Challenge
from facegate.domain.openset import AdoptedCalibration
from facegate.domain.model import Consent, Deployment, Processor, Subject, TemplateRecord


# --- face engine -----------------------------------------------------------------

@dataclass(frozen=True)
class FaceOptions:
    """Quality requirements for one image."""

    allow_largest: bool = False  # take the largest face when several are found, dominant or not
    min_face_px: int = 60  # shorter side of the detected box, in pixels
    # adapters/face/quality.py; defaults are for verification, measured on lfw-dev (docs/benchmarks.md)
    dominant_area_ratio: float = 1.25  # the main face is at least this much larger than the next, and central
    min_sharpness: float = 4.0  # variance of the Laplacian of the aligned face
    max_yaw: float = 0.6  # nose offset from the eyes' midline / eye distance
    min_brightness: float = 35.0
    max_brightness: float = 225.0

    def for_enrolment(self) -> FaceOptions:
        """Stricter: a template made from a poor photo fails every later verification."""
        return replace(self, min_face_px=max(self.min_face_px, 80), dominant_area_ratio=max(self.dominant_area_ratio, 2.0),
                       min_sharpness=max(self.min_sharpness, 8.0), max_yaw=min(self.max_yaw, 0.45),
                       min_brightness=max(self.min_brightness, 50.0), max_brightness=min(self.max_brightness, 210.0))


@dataclass(frozen=True)
class Embedding:
    """One face's descriptor and where it was found. Never persisted unsealed."""

    vector: np.ndarray  # float32, shape (dimension,)
    box: tuple[int, int, int, int]  # left, top, right, bottom in the decoded image
    faces_found: int = 1

    def __repr__(self) -> str:  # keep descriptors out of logs and tracebacks
        return f"Embedding(box={self.box}, faces_found={self.faces_found})"


@runtime_checkable
class FaceEngine(Protocol):
    """Image bytes in, one embedding out, or ``ImageRejected`` with a stable code."""

    name: str
    dimension: int
    default_threshold: float  # Euclidean distance at or below which two faces match

    def embed(self, image: bytes, options: FaceOptions = FaceOptions()) -> Embedding: ...

    def embed_many(
        self, images: Sequence[bytes], options: FaceOptions = FaceOptions()
    ) -> list[Embedding | Exception]: ...


# --- keys --------------------------------------------------------------------------

@dataclass(frozen=True)
class WrappedKey:
    """A data key encrypted under a key-encryption key. Safe to store and to print."""

    kek_id: str
    algorithm: str  # "AES-256-GCM" or "SM4-GCM"
    blob: bytes

    def __repr__(self) -> str:
        return f"WrappedKey(kek_id={self.kek_id!r}, algorithm={self.algorithm!r})"


class KeyProvider(Protocol):
    """Envelope encryption: services hold wrapped keys only, never plaintext ones."""

    algorithm: str
    current_kek_id: str

    def new_data_key(self) -> WrappedKey: ...

    def seal(self, key: WrappedKey, plaintext: bytes, aad: bytes) -> bytes: ...

    def open(self, key: WrappedKey, sealed: bytes, aad: bytes) -> bytes: ...

    def rewrap(self, key: WrappedKey) -> WrappedKey: ...

    def keyed_hash(self, value: str) -> str:
        """Pseudonymous reference for the processing record (HMAC under a record key)."""
        ...

    def forget(self, key: WrappedKey) -> None:
        """Drop any cached plaintext of this data key (crypto-shredding)."""
        ...


# --- clock -------------------------------------------------------------------------

class Clock(Protocol):
    def now(self) -> datetime:
        """Timezone-aware UTC now."""
        ...


# --- storage -----------------------------------------------------------------------

@dataclass(frozen=True)
class SealedTemplate:
    record: TemplateRecord
    sealed: bytes
    key: WrappedKey
    subject_external_ref: str


class Tx(Protocol):
    """One unit of work: everything in it commits together or not at all."""

    def get_processor(self, processor_id: str) -> Processor | None: ...
    def put_processor(self, processor: Processor) -> None: ...

    def get_deployment(self, deployment_id: str) -> Deployment | None: ...
    def put_deployment(self, deployment: Deployment) -> None: ...
    def list_deployments(self) -> list[Deployment]: ...
    def add_deployment_version(self, deployment: Deployment, findings: list[dict[str, object]],
                               applied_at: datetime, applied_by: str) -> None: ...
    def list_deployment_versions(self, deployment_id: str) -> list[dict[str, object]]: ...

    def get_subject(self, processor_id: str, external_ref: str) -> Subject | None: ...
    def add_subject(self, subject: Subject) -> Subject: ...
    def lock_subject(self, subject_id: str) -> None: ...
    def try_exclusive(self, name: str) -> bool: ...  # a cluster-wide lock held until the transaction ends
    def get_subject_by_id(self, subject_id: str) -> Subject | None: ...
    def update_subject(self, subject: Subject) -> None: ...
    def delete_subject(self, subject_id: str) -> None: ...

    def get_subject_key(self, subject_id: str) -> WrappedKey | None: ...
    def put_subject_key(self, subject_id: str, key: WrappedKey) -> None: ...
    def delete_subject_key(self, subject_id: str) -> None: ...

    def add_consent(self, consent: Consent, receipt_hash: str | None = None) -> None: ...
    def list_consents(self, subject_id: str, deployment_id: str | None = None) -> list[Consent]: ...
    def withdraw_consents(self, subject_id: str, deployment_id: str, purpose: str | None, at: datetime) -> int: ...
    def delete_consents(self, subject_id: str, deployment_id: str, purpose: str | None = None) -> int: ...

    def add_template(self, record: TemplateRecord, sealed: bytes) -> None: ...
    def list_templates(self, subject_id: str, deployment_id: str | None = None, purpose: str | None = None) -> list[SealedTemplate]: ...
    def gallery(self, deployment_id: str, purpose: str) -> Iterator[SealedTemplate]: ...
    def get_sealed_template(self, template_id: str) -> SealedTemplate | None: ...
    def get_template(self, template_id: str) -> TemplateRecord | None: ...
    def delete_template(self, template_id: str) -> None: ...
    def count_templates(self, subject_id: str) -> int: ...
    def count_gallery(self, deployment_id: str, purpose: str) -> int: ...
    def get_calibration(self, deployment_id: str) -> AdoptedCalibration | None: ...
    def put_calibration(self, deployment_id: str, adopted: AdoptedCalibration) -> None: ...
    def delete_templates(self, subject_id: str, deployment_id: str | None = None, purpose: str | None = None) -> list[str]: ...
    def cap_template_expiry(self, deployment_id: str, *, max_days: int | None = None,
                            latest: datetime | None = None, subject_id: str | None = None) -> int:
        """Bring templates' expiry forward (shorter retention, an ending event); returns how many moved."""
        ...
    def expired_templates(self, now: datetime) -> list[TemplateRecord]: ...
    def count_stored_people(self, processor_id: str) -> int: ...

    def append_event(self, event: AuditEvent) -> ChainedEvent: ...
    def chain_events(self, from_seq: int = 1, to_seq: int | None = None) -> Iterator[ChainedEvent]: ...
    def checkpoints(self, to_seq: int | None = None) -> list[Checkpoint]: ...
    def chain_head(self) -> tuple[int, str]: ...
    def head_state(self) -> HeadState: ...

    def note_gallery_invalidated(self, deployment_id: str | None) -> None: ...
    def gallery_version(self) -> int: ...
    def gallery_changes(self, after: int, limit: int = 500) -> list[tuple[int, dict[str, Any]]]: ...
    def sign_head(self) -> Checkpoint | None: ...
    def count_events(self, kinds: tuple[str, ...] = (), deployment_id: str | None = None) -> list[dict[str, Any]]: ...

    def add_api_key(self, key: ApiKey) -> None: ...
    def update_api_key(self, key: ApiKey) -> None: ...
    def get_api_key(self, key_id: str) -> ApiKey | None: ...
    def list_api_keys(self) -> list[ApiKey]: ...

    def add_security_event(self, event: SecurityEvent) -> None: ...
    def list_security_events(self, limit: int = 200) -> list[SecurityEvent]: ...
    def lock_events(self, since: datetime, subject_key: str | None = None,
                    kinds: tuple[str, ...] = ("subject_locked", "subject_lock_lifted")) -> list[SecurityEvent]:
        """Security events of ``kinds`` (subject locks and lifts by default) since ``since``, oldest first."""
        ...
    def all_subject_keys(self) -> list[tuple[str, WrappedKey]]: ...


class ChangeFeed(Protocol):
    """Rings the other nodes when a gallery changed (several nodes, one store); never raises on publish."""

    def publish(self, message: dict[str, object]) -> None: ...

    def subscribe(self, handler: Callable[[dict[str, object]], None],
                  on_gap: Callable[[], None] = ...) -> None:
        """``on_gap`` runs after a reconnect: messages may have been lost meanwhile."""
        ...

    def status(self) -> dict[str, object]: ...

    def close(self) -> None: ...


class Store(Protocol):
    def transaction(self, readonly: bool = False) -> AbstractContextManager[Tx]:
        """A unit of work; ``readonly`` ones may not write and do not take the write lock."""
        ...


# --- liveness (docs/liveness.md) ------------------------------------------------------

@dataclass(frozen=True)
class FaceObservation:
    """One camera frame, measured: held in memory for one request, never stored or logged."""

    embedding: Embedding | None  # None when the frame shows no single usable face
    landmarks: tuple[tuple[float, float], ...] = ()  # dlib's five points
    face_rgb: np.ndarray | None = None  # the face box (RGB), for the passive measures and spoof models
    thumb: np.ndarray | None = None  # the whole frame at 64x48 greyscale, for the motion test
    problem: str | None = None  # the ImageRejected code when embedding is None

    def __repr__(self) -> str:
        return f"FaceObservation(problem={self.problem!r}, landmarks={len(self.landmarks)})"


@runtime_checkable
class LandmarkEngine(Protocol):
    """A face engine that also reports landmarks and pixels for the liveness check."""

    def observe_many(self, images: Sequence[bytes], options: FaceOptions = FaceOptions()) -> list[FaceObservation]: ...


class ChallengeStore(Protocol):
    """Liveness challenges shared by every node: each one can be claimed once (database or Redis)."""

    def put(self, challenge: Challenge) -> None: ...

    def claim(self, challenge_id: str, now: datetime) -> Challenge | None:
        """Mark used and return it as it was: ``state`` ISSUED means this caller won the claim."""
        ...

    def seen_before(self, digests: Sequence[str], now: datetime, keep_for: timedelta) -> bool:
        """Remember these frame digests for ``keep_for``; True if any was remembered already."""
        ...


class SpoofDetector(Protocol):
    """A passive anti-spoofing model supplied by the operator: face crop in, attack score out."""

    name: str
    threshold: float  # scores at or above it are attacks

    def score(self, face_rgb: np.ndarray) -> float: ...
