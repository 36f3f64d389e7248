"""Request and response bodies of the REST API (pydantic)."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Ref = Field(min_length=1, max_length=128)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ConsentCreate(Strict):
    deployment_id: str
    subject_ref: str = Ref
    purpose: str
    notice_version: str = Field(min_length=8, max_length=64)
    channel: str = "api"
    actor: Literal["self", "guardian"] = "self"
    birth_date: date | None = None
    guardian_ref: str | None = Field(None, max_length=128)
    guardian_relationship: Literal["parent", "other_guardian"] | None = None


class ConsentRead(BaseModel):
    consent_id: str
    receipt_code: str
    deployment_id: str
    purpose: str
    notice_version: str
    actor: str


class WithdrawCreate(Strict):
    deployment_id: str
    subject_ref: str = Ref
    purpose: str | None = None


class WithdrawRead(BaseModel):
    withdrawn: int
    templates_deleted: int
    receipt_code: str


class AlternativeCreate(Strict):
    subject_ref: str | None = Field(None, max_length=128)
    purpose: str
    method: str
    is_verified: bool


class DeletionRead(BaseModel):
    receipt_code: str
    templates_deleted: int
    key_destroyed: bool
    scope: Literal["deployment", "processor"] = "deployment"
