"""Request and response bodies of the REST API (pydantic)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from pydantic_core import PydanticCustomError

from facegate.domain.refs import MAX_REF, ref_problem


def _ref(field: str) -> AfterValidator:
    """The domain's one reference rule (M-6.3), reported with the same stable code as the services use."""

    def check(value: str) -> str:
        problem = ref_problem(value)
        if problem is not None:
            raise PydanticCustomError(f"{field}_ref_invalid", f"The {field} reference {problem}.")
        return value

    return AfterValidator(check)


# Length is part of the rule (checked by it, so one code); the schema only documents it.
_LENGTH = Field(json_schema_extra={"minLength": 1, "maxLength": MAX_REF})
SubjectRef = Annotated[str, _LENGTH, _ref("subject")]
GuardianRef = Annotated[str, _LENGTH, _ref("guardian")]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ConsentCreate(Strict):
    deployment_id: str
    subject_ref: SubjectRef
    purpose: str
    notice_version: str = Field(min_length=8, max_length=64)
    channel: str = "api"
    actor: Literal["self", "guardian"] = "self"
    birth_date: date | None = None
    age_attested_by: str | None = Field(
        None, min_length=1, max_length=128,
        description="Who checked that the person is 14 or over, instead of a date of birth (M-7.1)")
    separate_consents: list[Literal["internet_transmission", "cross_border"]] = Field(
        default_factory=list, description="Separate consents given with this one (Art. 8; PIPL Art. 39)")
    guardian_ref: GuardianRef | None = None
    guardian_relationship: Literal["parent", "other_guardian"] | None = None


class NoticeRecordCreate(Strict):
    """On a statutory basis: the person was given the current notice (M-5.1, M-6.7)."""

    deployment_id: str
    subject_ref: SubjectRef
    purpose: str
    notice_version: str = Field(min_length=8, max_length=64)
    channel: str = "api"
    birth_date: date | None = None
    age_attested_by: str | None = Field(None, min_length=1, max_length=128)
    separate_consents: list[Literal["cross_border"]] = Field(default_factory=list)


class ConsentRead(BaseModel):
    consent_id: str
    receipt_code: str
    deployment_id: str
    purpose: str
    notice_version: str
    actor: str
    kind: str = "consent"


class WithdrawCreate(Strict):
    deployment_id: str
    subject_ref: SubjectRef
    purpose: str | None = None


class WithdrawRead(BaseModel):
    withdrawn: int
    templates_deleted: int
    receipt_code: str


class AlternativeCreate(Strict):
    subject_ref: SubjectRef | None = None
    purpose: str
    method: str
    is_verified: bool


class DeletionRead(BaseModel):
    receipt_code: str
    templates_deleted: int
    key_destroyed: bool
    scope: Literal["deployment", "processor"] = "deployment"
