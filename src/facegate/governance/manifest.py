"""The deployment manifest: one YAML file describes one deployment (pydantic v2, frozen).

The schema checks *shape*; the rule catalog (``governance.rules``) judges the law.
So things the Measures require but a processor may have forgotten (an impact
assessment, signage, a security control) are optional here and reported as
findings citing the article, rather than rejected as malformed input.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field, field_validator

from facegate.governance.manifest_base import (
    Alternative,
    LegalBasis,
    LocalizedText,
    ManifestPart,
    Method,
    MinorRules,
    Minors,
    NoticeInfo,
    OptText,
    ProcessorInfo,
    ProcessorName,
    Purpose,
    purpose_label,
    PurposeSlug,
    Scenario,
    Slug,
    StatuteRef,
    Text,
)
from facegate.governance.manifest_controls import (
    AssessedScope,
    Attestation,
    Filing,
    ImpactAssessment,
    Incentives,
    OverseasRecipient,
    PublicPlace,
    Retention,
    RetentionEvent,
    Security,
    SecurityControl,
    Signage,
    Storage,
)
from facegate.governance.uscc import is_valid_uscc, uscc_check_char
from facegate.governance.vocab import (
    ApplicationClass,
    FaceDataType,
    NationalChannel,
)

__all__ = [
    "Alternative",
    "AssessedScope",
    "Attestation",
    "Filing",
    "ImpactAssessment",
    "Incentives",
    "is_valid_uscc",
    "LegalBasis",
    "LocalizedText",
    "Manifest",
    "manifest_json_schema",
    "Method",
    "MinorRules",
    "Minors",
    "NoticeInfo",
    "OptText",
    "OverseasRecipient",
    "ProcessorInfo",
    "ProcessorName",
    "PublicPlace",
    "Purpose",
    "purpose_label",
    "PurposeSlug",
    "Retention",
    "RetentionEvent",
    "Scenario",
    "Security",
    "SecurityControl",
    "Signage",
    "Slug",
    "StatuteRef",
    "Storage",
    "Text",
    "uscc_check_char",
]


class Manifest(ManifestPart):
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
