"""Frozen value types for processors, deployments, subjects, consents and templates."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date, datetime

from facegate.domain.age import AgeBasis
from facegate.domain.terms import ConsentTerms


class Mode(str, enum.Enum):
    """How faces are compared (M-4.3: 1:1 is the least intrusive default)."""

    VERIFY = "1:1"
    IDENTIFY = "1:N"


class DeploymentStatus(str, enum.Enum):
    ACTIVE = "active"
    INACTIVE = "inactive"
    BLOCKED = "blocked"  # has blocking findings; may not run (M-4.4)


class StorageLocality(str, enum.Enum):
    """Where face data lives (M-8.1: on the device by default)."""

    ON_DEVICE = "on_device"
    CENTRAL = "central"


class ConsentActor(str, enum.Enum):
    SELF = "self"
    GUARDIAN = "guardian"  # M-7.1: under-14s need a guardian's consent


class SeparateConsent(str, enum.Enum):
    """Consents the law wants given separately, per person, besides the consent to face processing."""

    INTERNET_TRANSMISSION = "internet_transmission"  # Art. 8: off-device storage or Internet transmission
    CROSS_BORDER = "cross_border"  # PIPL Art. 39: provision outside mainland China


class RecordKind(str, enum.Enum):
    """A consent, or (on a statutory basis) the record that the person was given the notice (M-5.1)."""

    CONSENT = "consent"
    NOTICE = "notice"


class Operation(str, enum.Enum):
    ENROLL = "enroll"
    VERIFY = "verify"
    IDENTIFY = "identify"
    DELETE = "delete"
    ALTERNATIVE = "alternative"


@dataclass(frozen=True)
class Processor:
    """The organisation that decides purposes and means (Art. 19(1))."""

    id: str
    name: str  # the registered Chinese legal name
    contact: str = ""
    uscc: str = ""  # unified social credit code
    name_en: str = ""  # optional; English pages fall back to the Chinese name and say so

    def name_in(self, lang: str) -> str:
        return self.name if lang == "zh" else english_name(self.name, self.name_en)


def english_name(name_zh: str, name_en: str) -> str:
    """The processor's English name, or its Chinese name marked as such: never a guessed translation."""
    return name_en or f"{name_zh} (registered Chinese name; no English name given)"


@dataclass(frozen=True)
class Alternative:
    """A declared non-face way through (M-10.1), e.g. a key card or a staff check."""

    code: str
    name_en: str
    name_zh: str


@dataclass(frozen=True)
class Deployment:
    """One place where face recognition runs, as last applied.

    ``scope_hash`` covers purposes, method and face data types: when it changes,
    consents given under the old scope stop counting (M-6.x re-consent).
    ``notice_version`` is the content hash of the notice people agreed to.
    """

    id: str
    processor_id: str
    name: str
    purposes: tuple[str, ...]
    mode: Mode
    alternatives: tuple[Alternative, ...]
    storage_locality: StorageLocality
    retention_days: int
    status: DeploymentStatus
    version: int = 1
    notice_version: str = ""
    scope_hash: str = ""
    minors_allowed: bool = False
    written_consent_required: bool = False
    # False when a law or administrative regulation is the legal basis (M-6.7, PIPL Art. 13(3)).
    consent_required: bool = True
    legal_basis_ref: str = ""
    name_zh: str = ""
    # The material terms of the current notice (M-6.4); None for deployments built by hand in tests.
    terms: ConsentTerms | None = None
    # M-7.1: may this deployment meet children under 14? Then every consent needs an age assertion.
    may_meet_minors: bool = False
    separate_consents_needed: tuple[SeparateConsent, ...] = ()
    is_notice_exempt: bool = False  # a law allows no notice (Art. 5 para 3, M-5.7)
    manifest: dict[str, object] = field(default_factory=dict, compare=False, hash=False)

    @property
    def is_active(self) -> bool:
        return self.status is DeploymentStatus.ACTIVE

    @property
    def liveness(self) -> str:
        """``required``, ``optional`` or ``off``: the manifest's security.liveness or its default."""
        from facegate.domain.liveness import policy_of  # liveness imports reasons only; no cycle at run time

        return policy_of(self.manifest).value

    @property
    def is_upload_allowed(self) -> bool:
        """May the kiosk take a photo file instead of the live camera (``domain.liveness.is_upload_allowed``)?"""
        from facegate.domain.liveness import is_upload_allowed

        return is_upload_allowed(self.manifest)


@dataclass(frozen=True)
class Subject:
    """A person, known only by the integrator's pseudonymous reference.

    ``minor_until`` is the day the person turns 14 (or None if unknown/adult):
    kept instead of the birth date, which is more than the gate needs.
    """

    id: str
    processor_id: str
    external_ref: str
    minor_until: date | None = None
    created_at: datetime | None = None

    def is_minor_on(self, day: date) -> bool:
        return self.minor_until is not None and day < self.minor_until


@dataclass(frozen=True)
class Consent:
    """A separate consent for face processing (M-6.1), bound to one notice version.

    With ``kind`` NOTICE it is instead the record that the person was given the notice,
    where a law and not consent is the basis (M-5.1, M-6.7).
    """

    id: str
    subject_id: str
    deployment_id: str
    purpose: str
    notice_version: str
    scope_hash: str
    channel: str
    actor: ConsentActor
    given_at: datetime
    withdrawn_at: datetime | None = None
    guardian_ref: str | None = None
    guardian_relationship: str | None = None
    kind: RecordKind = RecordKind.CONSENT
    terms: ConsentTerms | None = None  # what the notice said when the person agreed (or was told)
    separate: tuple[SeparateConsent, ...] = ()
    age_basis: AgeBasis | None = None
    age_attested_by: str | None = None

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None


@dataclass(frozen=True)
class TemplateRecord:
    """Metadata of a sealed template; the ciphertext never leaves the store unopened."""

    id: str
    subject_id: str
    deployment_id: str
    purpose: str
    engine: str  # the engine's name (FaceEngine.name) ...
    created_at: datetime
    expires_at: datetime
    key_id: str
    engine_version: str = ""  # ... and its model's version: only templates of the same pair are compared

    def is_expired(self, now: datetime) -> bool:
        return now >= self.expires_at
