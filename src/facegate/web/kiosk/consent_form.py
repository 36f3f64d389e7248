"""Reading the kiosk's consent form: the date of birth, the guardian and the separate consents (M-6, M-7)."""

from __future__ import annotations

from datetime import date

from fastapi import Request
from starlette.datastructures import FormData

from facegate.domain import reasons as R
from facegate.domain.age import is_under_14
from facegate.domain.model import ConsentActor, Deployment
from facegate.errors import InvalidInput
from facegate.governance.manifest import Manifest
from facegate.services import consent as consent_service
from facegate.domain.refs import check_ref

UI_VERSION = "kiosk-ui-2"  # recorded as the consent channel so the copy shown can be audited (M-12.2)


def alternatives(d: Deployment) -> list[dict[str, str]]:
    """Declared alternatives with how they are offered, from the manifest when it has them."""
    try:
        m = Manifest.model_validate(d.manifest)
        return [{"code": a.code, "zh": a.name.zh, "en": a.name.en, "how_zh": a.how_offered.zh,
                 "how_en": a.how_offered.en} for a in m.alternatives]
    except ValueError:
        return [{"code": a.code, "zh": a.name_zh, "en": a.name_en, "how_zh": "", "how_en": ""}
                for a in d.alternatives]


def purpose_of(request: Request, d: Deployment, form: FormData | None = None) -> str:
    value = (form.get("purpose") if form else None) or request.query_params.get("purpose") or d.purposes[0]
    return str(value)


def _birth_date(value: str, today: date) -> date:
    try:
        born = date.fromisoformat(value.strip())
    except ValueError:
        raise InvalidInput("birth_date_invalid", "Please enter a valid date of birth.", "请填写有效的出生日期。",
                           article_id="M-7.1") from None
    if born > today:
        raise InvalidInput("birth_date_future", "The date of birth is in the future.", "出生日期晚于今天。",
                           article_id="M-7.1")
    return born


def consent_request(d: Deployment, form: FormData, today: date, purpose: str) -> consent_service.ConsentRequest:
    ref = str(form.get("subject_ref") or "").strip()
    if ref:
        check_ref(ref)
    raw_dob = str(form.get("birth_date") or "")
    if not raw_dob:
        raise InvalidInput("birth_date_missing", "Please enter your date of birth.", "请填写出生日期。",
                           article_id="M-7.1")
    born = _birth_date(raw_dob, today)
    is_minor = is_under_14(born, today)  # the M-7.1 rule, as the consent service applies it
    guardian = is_minor and d.minors_allowed
    if guardian and form.get("guardian_consent") != "yes":
        r = R.GUARDIAN_CONSENT_MISSING
        raise InvalidInput(r.code, r.message_en, r.message_zh, article_id=r.article_id)
    if not is_minor and form.get("face_consent") != "yes":
        raise InvalidInput("consent_not_given", "Tick the consent box, or choose the way without face recognition.",
                           "请勾选同意，或选择不使用人脸识别的方式。", article_id="M-6.1")
    relationship = str(form.get("guardian_relationship") or "") or None
    if relationship not in (None, "parent", "other_guardian"):
        raise InvalidInput("guardian_relationship_invalid", "Choose parent or other guardian.",
                           "请选择父母或其他监护人。", article_id="M-7.2")
    return consent_service.ConsentRequest(
        deployment_id=d.id, subject_ref=ref, purpose=purpose, notice_version=str(form.get("notice_version") or ""),
        channel=UI_VERSION, actor=ConsentActor.GUARDIAN if guardian else ConsentActor.SELF, birth_date=born,
        guardian_ref=(str(form.get("guardian_ref") or "").strip() or None) if guardian else None,
        guardian_relationship=relationship if guardian else None,
        separate_consents=tuple(str(v) for v in form.getlist("separate")),
    )
