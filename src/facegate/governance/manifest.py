"""The deployment manifest: one YAML file describes one deployment (pydantic v2, frozen).

The schema checks *shape*; the rule catalog (``governance.rules``) judges the law.
So things the Measures require but a processor may have forgotten (an impact
assessment, signage, a security control) are optional here and reported as
findings citing the article, rather than rejected as malformed input.
"""

from __future__ import annotations

import re
import datetime as dt
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator, model_validator

from facegate.domain.liveness import LivenessPolicy
from facegate.domain.model import Mode, StorageLocality
from facegate.governance.vocab import (
    Accessibility,
    ApplicationClass,
    Convenience,
    ExportMechanism,
    FaceDataType,
    LegalBasisType,
    NationalChannel,
    PiaConclusion,
    PiaItem,
    PrivateSpace,
    CameraAim,
    VenueType,
    WhoCanEnter,
    WhoIsCaptured,
    purpose_info,
)

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)]
OptText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=4000)]
Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{1,62}[a-z0-9]$")]

# GB 32100-2015: 18 characters from this alphabet (no I, O, Z, S, V); the last is a check character.
_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_USCC_RE = re.compile(rf"^[{_USCC_ALPHABET}]{{18}}$")

_FOREVER_WORDS = {"indefinite", "forever", "permanent", "permanently", "unlimited", "infinite",
                  "永久", "长期", "无限期", "不限"}


def uscc_check_char(first17: str) -> str:
    """The GB 32100-2015 check character for the first 17 characters of a USCC."""
    total = sum(_USCC_ALPHABET.index(c) * w for c, w in zip(first17, _USCC_WEIGHTS, strict=True))
    return _USCC_ALPHABET[(31 - total % 31) % 31]


def is_valid_uscc(code: str) -> bool:
    return bool(_USCC_RE.match(code)) and uscc_check_char(code[:17]) == code[17]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LocalizedText(_Model):
    """Text a person reads, in Chinese and English."""

    zh: Text
    en: Text


class StatuteRef(_Model):
    """A law or administrative regulation, cited by name and article (M-6.7, M-5.7, M-10.1).

    Both parts may be left empty here; the rules report an incomplete citation. Where the
    statute is the legal basis itself, the rules also want a reviewer's sign-off (M-6.7).
    """

    name: OptText = ""
    article: OptText = ""
    reviewed_by: OptText = ""
    reviewed_on: dt.date | None = None

    @property
    def is_complete(self) -> bool:
        return bool(self.name and self.article)


class ProcessorInfo(_Model):
    """The personal information processor (Art. 19(1)), shown in the notice (M-5.2)."""

    id: Slug | None = None
    name: LocalizedText
    contact: Text
    uscc: str = Field(description="18-character unified social credit code (GB 32100-2015)")

    @field_validator("uscc")
    @classmethod
    def _uscc(cls, v: str) -> str:
        v = v.strip().upper()
        if not _USCC_RE.match(v):
            raise ValueError("must be an 18-character unified social credit code "
                             "(digits and capital letters except I, O, Z, S, V)")
        if uscc_check_char(v[:17]) != v[17]:
            raise ValueError(f"check character should be {uscc_check_char(v[:17])!r}, not {v[17]!r}")
        return v


class Scenario(_Model):
    """Where the devices are. Whether Art. 13 applies follows from the three facts
    ``who_can_enter``, ``cameras_point_at`` and ``who_is_captured`` (see
    ``rules.places.is_public_place``), not from ``venue_type``, which only describes."""

    description: LocalizedText
    venue_type: VenueType
    private_space: PrivateSpace = PrivateSpace.NONE
    address: OptText = ""
    who_can_enter: WhoCanEnter | None = None
    cameras_point_at: CameraAim | None = None
    who_is_captured: WhoIsCaptured | None = None
    unattended: bool = Field(False, description="No staff watches the capture (self-service kiosk, gate, app); "
                             "liveness is then required by default (docs/liveness.md)")


PurposeSlug = Annotated[str, StringConstraints(strip_whitespace=True, to_lower=True,
                                               pattern=r"^[a-z][a-z0-9_]{1,47}$")]


class Purpose(_Model):
    """A declared purpose: a vocabulary code, or the processor's own code with a description
    (judged by the rules, M-4.1, not rejected)."""

    code: PurposeSlug
    description: LocalizedText | None = Field(
        None, description="What exactly face recognition is for; required for a code outside the vocabulary")
    necessity: LocalizedText = Field(description="Why face recognition is necessary (M-4.2); shown in the notice")
    least_impact: Text = Field(description="Least-impact analysis: alternatives considered, why 1:1/1:N (M-4.2)")


def purpose_label(p: Purpose) -> tuple[str, str]:
    """(zh, en) name of a purpose for people: the vocabulary's, else the declared description."""
    info = purpose_info(p.code)
    if info is not None:
        return info.zh, info.en
    if p.description is not None:
        return p.description.zh, p.description.en
    return p.code, p.code


class LegalBasis(_Model):
    type: LegalBasisType
    statute: StatuteRef | None = None


class Method(_Model):
    mode: Mode
    locality: StorageLocality = Field(description="Where faces are compared")
    engine: Text
    vendor: Text
    identify_justification: OptText = Field("", description="Required for 1:N; reference the PIA (M-4.3)")


class Alternative(_Model):
    code: Slug
    name: LocalizedText
    convenience: Convenience
    how_offered: LocalizedText
    is_offered_at_same_point: bool = True


class MinorRules(_Model):
    """Special processing rules for under-14s (M-7.3): at least these four sections."""

    storage: LocalizedText | None = None
    use: LocalizedText | None = None
    transfer: LocalizedText | None = None
    disclosure: LocalizedText | None = None


class Minors(_Model):
    under_14_allowed: bool = False
    # M-7.1: may children under 14 come here at all? If so (the default), every consent must
    # carry an age assertion, even where under-14s are refused.
    may_be_present: bool = True
    guardian_consent: bool = False
    special_rules: MinorRules | None = None


class NoticeInfo(_Model):
    rights_contact: Text
    how_to_exercise_rights: LocalizedText
    effect_on_rights: LocalizedText
    extra: LocalizedText | None = None
    exemption: StatuteRef | None = Field(None, description="Law allowing no notice (M-5.7)")
    accessibility: tuple[Accessibility, ...] = ()


class OverseasRecipient(_Model):
    """What PIPL Art. 39 says the person must be told about a recipient outside China (P-39.1)."""

    name: Text
    contact: Text
    purpose: LocalizedText
    method: LocalizedText
    categories: LocalizedText
    how_to_exercise_rights: LocalizedText


class Storage(_Model):
    locality: StorageLocality
    internet_transmission: bool = False
    destination: OptText = ""
    separate_consent_obtained: bool = False
    legal_reference: StatuteRef | None = None
    cross_border: bool = False
    export_mechanism: ExportMechanism | None = None
    cross_border_recipient: OverseasRecipient | None = None


class RetentionEvent(_Model):
    """Retention tied to an event: "until <event> plus ``days_after`` days" (M-8.5)."""

    event: LocalizedText = Field(description="e.g. move-out, end of employment, account closed")
    days_after: int = Field(ge=0, le=3650)


class Retention(_Model):
    days: int = Field(gt=0, le=36500, description="A concrete number of days; 'indefinite' is invalid (M-8.5). "
                      "With ``until``, the outer limit whatever happens.")
    until: RetentionEvent | None = None
    image_days: int | None = Field(None, ge=0, le=36500)
    basis: OptText = ""
    legal_reference: StatuteRef | None = None

    @field_validator("days", "image_days", mode="before")
    @classmethod
    def _concrete(cls, v: Any) -> Any:
        if isinstance(v, bool):
            raise ValueError("must be a whole number of days, not true/false")
        if isinstance(v, str):
            if v.strip().lower() in _FOREVER_WORDS:
                raise ValueError(f"must be a concrete number of days; {v!r} retention is not allowed: "
                                 "face data may be kept only for the shortest time necessary (M-5.2, M-8.5)")
            raise ValueError(f"must be a whole number of days, not the text {v!r}")
        if isinstance(v, float):
            raise ValueError("must be a whole number of days")
        return v


class SecurityControl(_Model):
    enabled: bool
    detail: OptText = ""


def _control(v: Any) -> Any:
    return {"enabled": v} if isinstance(v, bool) else v


class Security(_Model):
    """Art. 14 controls (M-14.1..M-14.5); ``true`` is shorthand for ``{enabled: true}``."""

    encryption: SecurityControl | None = None
    security_audit: SecurityControl | None = None
    access_control: SecurityControl | None = None
    authorisation_management: SecurityControl | None = None
    intrusion_detection: SecurityControl | None = None
    liveness: LivenessPolicy | None = Field(
        None, description="Active liveness before 1:1 verification; default required where remote "
        "(online_service) or unattended, off elsewhere (docs/liveness.md)")
    photo_upload: bool | None = Field(
        None, description="May the kiosk take an uploaded photo instead of the live camera? Default: yes where "
        "staff watch the capture; never where remote (online_service) or unattended (M-14.5, issue 16)")
    mlps_level: int | None = Field(None, ge=1, le=5, description="Classified protection grade (M-14.7)")
    is_cii: bool = False

    @field_validator("liveness", mode="before")
    @classmethod
    def _yaml_off(cls, v: Any) -> Any:
        # YAML 1.1 reads a bare `off` as false (and `on` as true).
        return {False: "off", True: "required"}.get(v, v) if isinstance(v, bool) else v

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, data: Any) -> Any:
        if isinstance(data, dict):
            return {k: _control(v) if k not in ("mlps_level", "is_cii", "liveness", "photo_upload") else v for k, v in data.items()}
        return data


class Signage(_Model):
    text: LocalizedText
    positions: tuple[Text, ...] = ()


class PublicPlace(_Model):
    """Art. 13 para 1 evidence (M-13.2)."""

    public_safety_necessity: LocalizedText | None = None
    legal_reference: StatuteRef | None = None
    capture_area: OptText = ""
    signage: Signage | None = None


class AssessedScope(_Model):
    """What the assessment assessed: purposes and method (Art. 9 para 2 re-assessment trigger, M-9.5)."""

    purposes: tuple[PurposeSlug, ...]
    mode: Mode
    locality: StorageLocality = Field(description="Where faces were compared")
    storage: StorageLocality | None = None
    internet_transmission: bool | None = None


class ImpactAssessment(_Model):
    """The prior personal information protection impact assessment (M-9.1, M-9.2)."""

    date: dt.date
    version: Text
    conclusion: PiaConclusion
    approved_by: Text
    covers: tuple[PiaItem, ...] = ()
    assessed: AssessedScope | None = Field(
        None, description="The purposes and method this version assessed; a change needs a new assessment (M-9.5)")


class Attestation(_Model):
    """Signed ethics/legality attestation (M-3.1)."""

    approved_by: Text
    date: dt.date


class Filing(_Model):
    """The Art. 15 filing with the provincial cyberspace office, once made."""

    is_filed: bool = False
    authority: OptText = ""
    filing_number: OptText = ""
    filed_on: dt.date | None = None


class Incentives(_Model):
    """Benefits or costs tied to choosing face recognition (Art. 12, M-10.2)."""

    face_only_discount: bool = False
    face_only_fast_lane: bool = False
    face_only_rewards: bool = False
    refusal_surcharge: bool = False
    claims_face_mandatory: bool = False
    description: OptText = ""


class Manifest(_Model):
    """One deployment, as its processor declares it."""

    id: Slug
    name: LocalizedText
    processor: ProcessorInfo
    application_class: ApplicationClass = ApplicationClass.PRODUCTION_APPLICATION
    scenario: Scenario
    purposes: tuple[Purpose, ...]
    legal_basis: LegalBasis
    method: Method
    face_data_types: tuple[FaceDataType, ...]
    alternatives: tuple[Alternative, ...] = ()
    national_rule_requires_face: StatuteRef | None = Field(
        None, description="National provision on FRT identity verification (Art. 10 para 2)")
    minors: Minors = Minors()
    written_consent_required: bool = False
    notice: NoticeInfo
    storage: Storage
    retention: Retention
    security: Security = Security()
    public_place: PublicPlace | None = None
    impact_assessment: ImpactAssessment | None = None
    ethics_attestation: Attestation | None = None
    expected_people: int = Field(ge=0)
    filing: Filing | None = None
    national_identity_channel: NationalChannel = NationalChannel.NONE
    incentives: Incentives = Incentives()

    @field_validator("purposes")
    @classmethod
    def _unique_purposes(cls, v: tuple[Purpose, ...]) -> tuple[Purpose, ...]:
        codes = [p.code for p in v]
        if not codes:
            raise ValueError("declare at least one purpose (M-4.1)")
        if len(set(codes)) != len(codes):
            raise ValueError("each purpose code may appear only once")
        return v

    @field_validator("face_data_types")
    @classmethod
    def _some_data(cls, v: tuple[FaceDataType, ...]) -> tuple[FaceDataType, ...]:
        if not v:
            raise ValueError("declare at least one face data type (M-19.1)")
        return tuple(dict.fromkeys(v))

    @field_validator("alternatives")
    @classmethod
    def _unique_alternatives(cls, v: tuple[Alternative, ...]) -> tuple[Alternative, ...]:
        codes = [a.code for a in v]
        if len(set(codes)) != len(codes):
            raise ValueError("each alternative code may appear only once")
        return v

    @property
    def purpose_codes(self) -> tuple[str, ...]:
        return tuple(p.code for p in self.purposes)

    @property
    def processor_id(self) -> str:
        """The processor's own id if given, else its USCC (unique per legal entity)."""
        return self.processor.id or self.processor.uscc


def manifest_json_schema() -> dict[str, Any]:
    """The published JSON Schema of a manifest (for editors and CI)."""
    schema = Manifest.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "facegate deployment manifest"
    return schema
