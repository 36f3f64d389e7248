"""Consent, withdrawal, deletion and what is held: the person's rights over the API."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from fastapi import APIRouter, Depends, Request

from facegate.domain.access import Permission as P
from facegate.domain.model import ConsentActor
from facegate.services import consent as consent_service
from facegate.services import subjects
from facegate.web.auth import check, require
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


@router.delete("/deployments/{deployment_id}/subjects/{subject_ref}", response_model=DeletionRead,
               dependencies=[Depends(require(P.DELETE_SUBJECT))])
def delete(request: Request, deployment_id: str, subject_ref: str) -> Any:
    return asdict(subjects.delete_subject(app_ctx(request).services, deployment_id, subject_ref,
                                          actor=_actor(request)))


@router.get("/deployments/{deployment_id}/subjects/{subject_ref}", dependencies=[Depends(require(P.READ_REPORTS))])
def held(request: Request, deployment_id: str, subject_ref: str) -> Any:
    return asdict(subjects.what_is_held(app_ctx(request).services, deployment_id, subject_ref))
