"""The person's side: receipts, what is held, withdrawal, deletion, complaints and form tokens.

Codes people see: ``receipt_unknown`` (404, forged or mistyped), ``receipt_expired``
(409, its consent was already withdrawn or the data deleted), ``form_token_invalid``,
``form_token_expired``, ``form_token_used`` (one-time forms against replay).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from facegate.domain.capture import CAPTURE_WINDOW, is_capture_window_open
from facegate.domain.model import Deployment
from facegate.domain.workdays import WorkdayCalendar, add_working_days
from facegate.errors import ConfigurationError, Conflict, InvalidInput, NotFound
from facegate.ports.person import PersonRequest, ReceiptConsent
from facegate.services import consent as consent_service
from facegate.services import subjects
from facegate.services.common import load_deployment, new_id, pseudonym, record
from facegate.services.context import ServiceContext

if TYPE_CHECKING:
    from facegate.governance.notice import Notice

# M-16.2 / PIPL Art. 50 ask for a reply "within a reasonable time" without a number; 15
# working days is our default (it matches common practice and the example
# notices) and is a configuration choice, not a legal constant.
DEFAULT_RESPONSE_WORKING_DAYS = 15
FORM_TOKEN_TTL = CAPTURE_WINDOW  # a form lives as long as the capture window it serves


@dataclass(frozen=True)
class PersonDeps:
    """Built by bootstrap.build_context (AppContext.person): the working-day calendar and the policy."""

    calendar: WorkdayCalendar | None = None
    response_working_days: int = DEFAULT_RESPONSE_WORKING_DAYS
    form_token_ttl: timedelta = FORM_TOKEN_TTL


def due_date(deps: PersonDeps, day: date) -> date:
    """The answer is due on the n-th working day after ``day`` (PIPL Art. 50)."""
    if deps.calendar is not None:
        try:
            return add_working_days(day, deps.response_working_days, deps.calendar)
        except ConfigurationError:
            pass  # calendar data for that year missing: fall back to the earlier Mon-Fri count
    d, left = day, deps.response_working_days
    while left:
        d += timedelta(days=1)
        left -= d.weekday() < 5
    return d


# --- one-time form tokens --------------------------------------------------------------

def issue_form_token(ctx: ServiceContext, deps: PersonDeps, kind: str, scope: str) -> str:
    token = secrets.token_urlsafe(24)
    now = ctx.clock.now()
    with ctx.store.transaction() as tx:
        tx.person.add_form_token(ctx.keys.keyed_hash("form|" + token), kind, scope, now,
                                          now + deps.form_token_ttl)
    return token


def spend_form_token(ctx: ServiceContext, deps: PersonDeps, token: str | None, kind: str, scope: str) -> None:
    """Spend a token or refuse the submission; the outcome commits on its own (replays stay spent)."""
    if not token or len(token) > 64:
        raise InvalidInput("form_token_invalid", "This form is not valid any more. Please start again.",
                           "此表单已失效，请重新开始。", status=400)
    with ctx.store.transaction() as tx:
        state = tx.person.spend_form_token(ctx.keys.keyed_hash("form|" + token), kind, scope,
                                                    ctx.clock.now())
    if state == "used":
        raise Conflict("form_token_used", "This form was already submitted; it was not processed again.",
                       "此表单已提交过，未再次处理。")
    if state == "expired":
        raise InvalidInput("form_token_expired", "This form has expired. Please start again.",
                           "此表单已过期，请重新开始。", status=400)
    if state != "ok":
        raise InvalidInput("form_token_invalid", "This form is not valid any more. Please start again.",
                           "此表单已失效，请重新开始。", status=400)


# --- notices ---------------------------------------------------------------------------

def _notice_of(manifest: dict[str, object]) -> Notice:
    """The notice of a stored manifest (ValueError when it does not validate). The manifest models load
    here, not with the module: listing requests never needs them (issue 14: start-up)."""
    from facegate.governance.manifest import Manifest
    from facegate.governance.notice import build_notice

    return build_notice(Manifest.model_validate(manifest))


def notice_for(d: Deployment) -> Notice:
    """The deployment's Art. 5 notice, rebuilt from its manifest (M-5.1, M-5.2)."""
    try:
        return _notice_of(d.manifest)
    except ValueError:
        raise Conflict("notice_unavailable", "This deployment has no notice that can be shown.",
                       "该部署没有可展示的告知书。", article_id="M-5.1") from None


def changes_since(ctx: ServiceContext, d: Deployment, old_version: str) -> list[str]:
    """Notice sections changed since the version a person agreed to (M-5.4, Art. 5 para 2)."""
    if old_version == d.notice_version:
        return []
    with ctx.store.transaction() as tx:
        versions = tx.deployments.versions(d.id)
    for v in reversed(versions):
        try:
            old = _notice_of(v.manifest)
        except ValueError:
            continue
        if old.version == old_version:
            from facegate.governance.notice import notice_changes

            return notice_changes(old, notice_for(d))
    return ["unknown"]


# --- receipts --------------------------------------------------------------------------

@dataclass(frozen=True)
class Held:
    """What is held, found by receipt: metadata only, never a template (PIPL Art. 45)."""

    status: str  # active | stale | withdrawn | deleted
    deployment: Deployment | None
    purpose: str | None
    actor: str | None
    given_at: datetime | None
    withdrawn_at: datetime | None
    notice_version: str | None
    notice_changed: tuple[str, ...]
    template_count: int
    templates_expire_at: datetime | None
    requests: tuple[PersonRequest, ...]


def _find(ctx: ServiceContext, deps: PersonDeps, code: str) -> tuple[ReceiptConsent | None, list[PersonRequest]]:
    code = (code or "").strip().upper()
    if not code or len(code) > 40:
        raise NotFound("receipt_unknown", "No record matches this receipt code.", "没有与此回执码对应的记录。")
    h = consent_service.receipt_hash(ctx, code)
    with ctx.store.transaction() as tx:
        found = tx.person.consent_by_receipt(h)
        reqs = tx.person.requests_by_hash(h)
    if found is None and not reqs:
        raise NotFound("receipt_unknown", "No record matches this receipt code.", "没有与此回执码对应的记录。")
    return found, reqs


def lookup(ctx: ServiceContext, deps: PersonDeps, code: str) -> Held:
    found, reqs = _find(ctx, deps, code)
    if found is None:  # the person's data was deleted: only the request history remains
        last = next((r for r in reqs if r.kind == "deletion"), reqs[0])
        with ctx.store.transaction() as tx:
            d = tx.deployments.get(last.deployment_id or "")
        status = "deleted" if last.kind == "deletion" else "withdrawn"
        return Held(status, d, last.purpose, None, None, last.completed_at, None, (), 0, None, tuple(reqs))
    c = found.consent
    with ctx.store.transaction() as tx:
        d = load_deployment(tx, c.deployment_id)
        held = [t.record for t in tx.templates.for_subject(c.subject_id, c.deployment_id, c.purpose)]
    changed = tuple(changes_since(ctx, d, c.notice_version)) if not c.is_withdrawn else ()
    # M-6.4: purpose, method or data types changed since: the gate wants a new consent.
    status = "withdrawn" if c.is_withdrawn else ("stale" if c.scope_hash != d.scope_hash else "active")
    return Held(status, d, c.purpose, c.actor.value, c.given_at,
                c.withdrawn_at, c.notice_version, changed, len(held),
                max((t.expires_at for t in held), default=None), tuple(reqs))


def _live(ctx: ServiceContext, deps: PersonDeps, code: str) -> ReceiptConsent:
    found, _ = _find(ctx, deps, code)
    if found is None or found.consent.is_withdrawn:
        raise Conflict("receipt_expired", "This consent was already withdrawn or its data deleted.",
                       "此同意已撤回或相关数据已删除。", article_id="M-6.3")
    return found


def active_consent(ctx: ServiceContext, deps: PersonDeps, code: str, deployment_id: str) -> ReceiptConsent:
    """The live consent behind a receipt, for this deployment only (kiosk capture after consent)."""
    found = _live(ctx, deps, code)
    if found.consent.deployment_id != deployment_id:
        raise NotFound("receipt_unknown", "No record matches this receipt code.", "没有与此回执码对应的记录。")
    return found


def consent_for_capture(ctx: ServiceContext, deps: PersonDeps, code: str, deployment_id: str) -> ReceiptConsent:
    """The live consent a kiosk may add the face to, while its capture window is open (M-14.3)."""
    found = active_consent(ctx, deps, code, deployment_id)
    if not is_capture_window_open(found.consent.given_at, ctx.clock.now(), deps.form_token_ttl):
        raise Conflict("capture_window_closed", "Registration by this receipt has closed; please ask at the desk.",
                       "凭此回执登记人脸的时限已过，请到前台办理。", article_id="M-14.3")
    return found


def _add(ctx: ServiceContext, deps: PersonDeps, kind: str, status: str, found: ReceiptConsent, code: str,
         outcome_code: str | None = None, detail: dict[str, object] | None = None,
         keep_ref: bool = False) -> PersonRequest:
    now = ctx.clock.now()
    c = found.consent
    req = PersonRequest(
        id=new_id(), kind=kind, status=status, processor_id=found.processor_id, deployment_id=c.deployment_id,
        purpose=c.purpose, created_at=now, due_on=due_date(deps, now.date()),
        completed_at=now if status == "completed" else None,
        receipt_hash=consent_service.receipt_hash(ctx, code),
        outcome_hash=consent_service.receipt_hash(ctx, outcome_code) if outcome_code else None,
        subject_pseudonym=pseudonym(ctx, found.processor_id, found.subject_ref),
        subject_ref=found.subject_ref if keep_ref else None, detail=detail or {},
    )
    with ctx.store.transaction() as tx:
        tx.person.add_request(req)
    return req


def withdraw_by_receipt(ctx: ServiceContext, deps: PersonDeps, code: str) -> consent_service.WithdrawalReceipt:
    """Withdraw at once and destroy the templates of that scope (M-6.3, M-7.4)."""
    found = _live(ctx, deps, code)
    c = found.consent
    out = consent_service.withdraw_consent(ctx, c.deployment_id, found.subject_ref, c.purpose, actor="self-service")
    _add(ctx, deps, "withdrawal", "completed", found, code, out.receipt_code,
         {"templates_deleted": out.templates_deleted})
    return out


def delete_by_receipt(ctx: ServiceContext, deps: PersonDeps, code: str) -> subjects.DeletionReceipt:
    """Delete what this receipt's consent covers; the data key goes with the last of it (PIPL Art. 47).

    A receipt acts only on what it created (issue 11 item 1): its consent and the templates
    taken under it, never the person's data in other deployments or purposes.
    """
    found, _ = _find(ctx, deps, code)
    if found is None:
        raise Conflict("receipt_expired", "The data for this receipt was already deleted.",
                       "此回执对应的数据已删除。", article_id="M-6.3")
    out = subjects.delete_subject(ctx, found.consent.deployment_id, found.subject_ref, actor="self-service",
                                  reason="person_request", purpose=found.consent.purpose)
    _add(ctx, deps, "deletion", "completed", found, code, out.receipt_code,
         {"templates_deleted": out.templates_deleted, "key_destroyed": out.key_destroyed})
    return out


def lodge_complaint(ctx: ServiceContext, deps: PersonDeps, code: str, text: str, contact: str = "") -> PersonRequest:
    """Record a complaint with its due date (M-16.2: intake logged, deadline tracked; PIPL Art. 50)."""
    text, contact = (text or "").strip(), (contact or "").strip()
    if not text or len(text) > 2000 or len(contact) > 200:
        raise InvalidInput("complaint_invalid", "Please describe the complaint (at most 2000 characters).",
                           "请填写投诉内容（不超过2000字）。")
    found, _ = _find(ctx, deps, code)
    if found is None:
        raise Conflict("receipt_expired", "The data for this receipt was deleted; contact the operator directly.",
                       "此回执对应的数据已删除，请直接联系处理者。")
    req = _add(ctx, deps, "complaint", "open", found, code, detail={"text": text, "contact": contact}, keep_ref=True)
    with ctx.store.transaction() as tx:
        record(ctx, tx, "complaint", actor="self-service", deployment=load_deployment(tx, found.consent.deployment_id),
               subject_ref=found.subject_ref, allowed=True, detail={"request": req.id, "due_on": req.due_on.isoformat()})
    return req


def list_requests(ctx: ServiceContext, deps: PersonDeps, status: str | None = None,
                  deployment_id: str | None = None) -> list[PersonRequest]:
    with ctx.store.transaction() as tx:
        return tx.person.list_requests(status, deployment_id)
