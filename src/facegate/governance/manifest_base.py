"""Manifest parts: who processes whose faces, for what, how, with which alternatives and notice (pydantic, frozen)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from facegate.domain.model import Mode, StorageLocality
from facegate.governance.uscc import USCC_RE, uscc_check_char
from facegate.governance.vocab import (
    Accessibility,
    CameraAim,
    Convenience,
    LegalBasisType,
    PrivateSpace,
    purpose_info,
    VenueType,
    WhoCanEnter,
    WhoIsCaptured,
)

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)]
OptText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=4000)]
Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{1,62}[a-z0-9]$")]


class ManifestPart(BaseModel):
    """Every part of a manifest: unknown keys are refused (a typo must not pass as an omission), values frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class LocalizedText(ManifestPart):
    """Text a person reads, in Chinese and English."""

    zh: Text
    en: Text


class StatuteRef(ManifestPart):
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


class ProcessorName(ManifestPart):
    """The processor's registered Chinese name and, optionally, its English name.

    Without an English name the English pages show the Chinese one and say so
    (``domain.model.english_name``). Adding it later rewords the notice: a new
    notice version, told to people but not re-consented (M-5.4).
    """

    zh: Text
    en: OptText = ""


class ProcessorInfo(ManifestPart):
    """The personal information processor (Art. 19(1)), shown in the notice (M-5.2)."""

    id: Slug | None = None
    name: ProcessorName = Field(description="{zh, en?}; a plain string is the Chinese name")
    contact: Text
    uscc: str = Field(description="18-character unified social credit code (GB 32100-2015)")

    @field_validator("name", mode="before")
    @classmethod
    def _name(cls, v: object) -> object:
        return {"zh": v} if isinstance(v, str) else v

    @field_validator("uscc")
    @classmethod
    def _uscc(cls, v: str) -> str:
        v = v.strip().upper()
        if not USCC_RE.match(v):
            raise ValueError("must be an 18-character unified social credit code "
                             "(digits and capital letters except I, O, Z, S, V)")
        if uscc_check_char(v[:17]) != v[17]:
            raise ValueError(f"check character should be {uscc_check_char(v[:17])!r}, not {v[17]!r}")
        return v


class Scenario(ManifestPart):
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


class Purpose(ManifestPart):
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


class LegalBasis(ManifestPart):
    type: LegalBasisType
    statute: StatuteRef | None = None


class Method(ManifestPart):
    mode: Mode
    locality: StorageLocality = Field(description="Where faces are compared")
    engine: Text
    vendor: Text
    identify_justification: OptText = Field("", description="Required for 1:N; reference the PIA (M-4.3)")


class Alternative(ManifestPart):
    code: Slug
    name: LocalizedText
    convenience: Convenience
    how_offered: LocalizedText
    is_offered_at_same_point: bool = True


class MinorRules(ManifestPart):
    """Special processing rules for under-14s (M-7.3): at least these four sections."""

    storage: LocalizedText | None = None
    use: LocalizedText | None = None
    transfer: LocalizedText | None = None
    disclosure: LocalizedText | None = None


class Minors(ManifestPart):
    under_14_allowed: bool = False
    # M-7.1: may children under 14 come here at all? If so (the default), every consent must
    # carry an age assertion, even where under-14s are refused.
    may_be_present: bool = True
    guardian_consent: bool = False
    special_rules: MinorRules | None = None


class NoticeInfo(ManifestPart):
    rights_contact: Text
    how_to_exercise_rights: LocalizedText
    effect_on_rights: LocalizedText
    extra: LocalizedText | None = None
    exemption: StatuteRef | None = Field(None, description="Law allowing no notice (M-5.7)")
    accessibility: tuple[Accessibility, ...] = ()
