"""Manifest parts: storage, retention, security, public places, assessment, filing and incentives (pydantic, frozen)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import Field, field_validator, model_validator

from facegate.domain.liveness import LivenessPolicy
from facegate.domain.model import Mode, StorageLocality
from facegate.governance.manifest_base import ManifestPart, LocalizedText, OptText, PurposeSlug, StatuteRef, Text
from facegate.governance.vocab import (
    ExportMechanism,
    PiaConclusion,
    PiaItem,
)

_FOREVER_WORDS = {"indefinite", "forever", "permanent", "permanently", "unlimited", "infinite",
                  "永久", "长期", "无限期", "不限"}


class OverseasRecipient(ManifestPart):
    """What PIPL Art. 39 says the person must be told about a recipient outside China (P-39.1)."""

    name: Text
    contact: Text
    purpose: LocalizedText
    method: LocalizedText
    categories: LocalizedText
    how_to_exercise_rights: LocalizedText


class Storage(ManifestPart):
    locality: StorageLocality
    internet_transmission: bool = False
    destination: OptText = ""
    separate_consent_obtained: bool = False
    legal_reference: StatuteRef | None = None
    cross_border: bool = False
    export_mechanism: ExportMechanism | None = None
    cross_border_recipient: OverseasRecipient | None = None


class RetentionEvent(ManifestPart):
    """Retention tied to an event: "until <event> plus ``days_after`` days" (M-8.5)."""

    event: LocalizedText = Field(description="e.g. move-out, end of employment, account closed")
    days_after: int = Field(ge=0, le=3650)


class Retention(ManifestPart):
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


class SecurityControl(ManifestPart):
    enabled: bool
    detail: OptText = ""


def _control(v: Any) -> Any:
    return {"enabled": v} if isinstance(v, bool) else v


class Security(ManifestPart):
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
            return {k: _control(v) if k not in ("mlps_level", "is_cii", "liveness", "photo_upload") else v
                    for k, v in data.items()}
        return data


class Signage(ManifestPart):
    text: LocalizedText
    positions: tuple[Text, ...] = ()


class PublicPlace(ManifestPart):
    """Art. 13 para 1 evidence (M-13.2)."""

    public_safety_necessity: LocalizedText | None = None
    legal_reference: StatuteRef | None = None
    capture_area: OptText = ""
    signage: Signage | None = None


class AssessedScope(ManifestPart):
    """What the assessment assessed: purposes and method (Art. 9 para 2 re-assessment trigger, M-9.5)."""

    purposes: tuple[PurposeSlug, ...]
    mode: Mode
    locality: StorageLocality = Field(description="Where faces were compared")
    storage: StorageLocality | None = None
    internet_transmission: bool | None = None


class ImpactAssessment(ManifestPart):
    """The prior personal information protection impact assessment (M-9.1, M-9.2)."""

    date: dt.date
    version: Text
    conclusion: PiaConclusion
    approved_by: Text
    covers: tuple[PiaItem, ...] = ()
    assessed: AssessedScope | None = Field(
        None, description="The purposes and method this version assessed; a change needs a new assessment (M-9.5)")


class Attestation(ManifestPart):
    """Signed ethics/legality attestation (M-3.1)."""

    approved_by: Text
    date: dt.date


class Filing(ManifestPart):
    """The Art. 15 filing with the provincial cyberspace office, once made."""

    is_filed: bool = False
    authority: OptText = ""
    filing_number: OptText = ""
    filed_on: dt.date | None = None


class Incentives(ManifestPart):
    """Benefits or costs tied to choosing face recognition (Art. 12, M-10.2)."""

    face_only_discount: bool = False
    face_only_fast_lane: bool = False
    face_only_rewards: bool = False
    refusal_surcharge: bool = False
    claims_face_mandatory: bool = False
    description: OptText = ""
