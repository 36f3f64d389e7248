"""Consent, withdrawal, deletion and what is held: the person's rights over the API."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from fastapi import APIRouter, Depends, Request

from facegate.domain.access import Permission as P
from facegate.domain.model import ConsentActor
from facegate.services import consent as consent_service
from facegate.services import subjects
from facegate.web.auth import check
from facegate.web.deps import app_ctx
from facegate.web.schemas import (
    ConsentCreate,
    ConsentRead,
    DeletionRead,
    NoticeRecordCreate,
    WithdrawCreate,
    WithdrawRead,
)

router = APIRouter(prefix="/v1", tags=["consent"])


def _actor(request: Request) -> str:
    return getattr(request.state, "actor", "api")


@router.post("/consents", status_code=201, response_model=ConsentRead)
def give(request: Request, body: ConsentCreate) -> Any:
    check(request, P.CONSENT_WRITE, body.deployment_id)
    req = consent_service.ConsentRequest(
        deployment_id=body.deployment_id, subject_ref=body.subject_ref, purpose=body.purpose,
        notice_version=body.notice_version, channel=body.channel, actor=ConsentActor(body.actor),
        birth_date=body.birth_date, guardian_ref=body.guardian_ref, guardian_relationship=body.guardian_relationship,
        age_attested_by=body.age_attested_by, separate_consents=tuple(body.separate_consents),
    )
    receipt = consent_service.give_consent(app_ctx(request).services, req, actor=_actor(request))
    return {**asdict(receipt), "actor": receipt.actor.value, "kind": receipt.kind.value}


@router.post("/notice-records", status_code=201, response_model=ConsentRead)
def notice_given(request: Request, body: NoticeRecordCreate) -> Any:
    """Where a law is the basis: record that the person was given the notice (M-5.1, M-6.7)."""
    check(request, P.CONSENT_WRITE, body.deployment_id)
    req = consent_service.ConsentRequest(
        deployment_id=body.deployment_id, subject_ref=body.subject_ref, purpose=body.purpose,
        notice_version=body.notice_version, channel=body.channel, birth_date=body.birth_date,
        age_attested_by=body.age_attested_by, separate_consents=tuple(body.separate_consents),
    )
    receipt = consent_service.record_notice(app_ctx(request).services, req, actor=_actor(request))
    return {**asdict(receipt), "actor": receipt.actor.value, "kind": receipt.kind.value}


@router.post("/consents/withdraw", response_model=WithdrawRead)
def withdraw(request: Request, body: WithdrawCreate) -> Any:
    check(request, P.CONSENT_WRITE, body.deployment_id)
    return asdict(consent_service.withdraw_consent(
        app_ctx(request).services, body.deployment_id, body.subject_ref, body.purpose, actor=_actor(request)))


# ``:path``: a reference may hold "/" (sent as %2F); it must stay deletable by this route too (M-6.3).
@router.delete("/deployments/{deployment_id}/subjects/{subject_ref:path}", response_model=DeletionRead)
def delete(request: Request, deployment_id: str, subject_ref: str, everywhere: bool = False) -> Any:
    """This deployment's data about the person; ``everywhere=true`` erases it in every deployment of the
    processor, which only an admin key with scope '*' may do (M-14.3, PIPL Art. 47)."""
    check(request, P.DELETE_SUBJECT, deployment_id)
    if everywhere:
        check(request, P.ERASE_EVERYWHERE, None)
    return asdict(subjects.delete_subject(app_ctx(request).services, deployment_id, subject_ref,
                                          actor=_actor(request), everywhere=everywhere))


@router.get("/deployments/{deployment_id}/subjects/{subject_ref:path}")
def held(request: Request, deployment_id: str, subject_ref: str, everywhere: bool = False) -> Any:
    """What this deployment holds; ``everywhere=true`` (scope '*' only) what the processor holds (M-14.3)."""
    check(request, P.READ_REPORTS, None if everywhere else deployment_id)
    return asdict(subjects.what_is_held(app_ctx(request).services, deployment_id, subject_ref,
                                        everywhere=everywhere))
