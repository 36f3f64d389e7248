"""Binding a person to a subject reference at a kiosk: fresh references, and claim codes as proof.

A reference that already has consent or templates belongs to someone. Whoever types
it at a kiosk may act on it only with proof that they are that person (issue 11,
item 1; M-14.3 access control, M-12.2 consent must not be obtained by deception):

- a claim code issued by staff or the integrator's booking system with an operator
  key (``issue_claim``), or
- a face match against the template held for that reference at this kiosk
  (the kiosk's verify issues a short-lived claim code on a match).

A new person who types nothing gets a fresh reference issued here, so nobody can
pick a reference that another person will be given later. A claim code is
single-use, bound to one deployment and one reference, and only its keyed hash
is stored (in the one-time form-token table).
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from facegate.errors import Forbidden, InvalidInput
from facegate.services.common import check_ref, load_deployment, record
from facegate.services.context import ServiceContext
from facegate.services.person import PersonDeps

CLAIM_PREFIX = "FGC-"
REF_PREFIX = "FGP-"
CLAIM_KIND = "claim"
STAFF_CLAIM_TTL = timedelta(minutes=30)  # staff at the desk, or a face check at the kiosk: one visit
MAX_CLAIM_TTL = timedelta(days=7)  # an integrator's booking, printed or sent ahead of the stay


def fresh_reference() -> str:
    """A reference nobody chose: 80 random bits, readable aloud, for a person new to this processor."""
    return REF_PREFIX + secrets.token_hex(10).upper()


def _scope(ctx: ServiceContext, deployment_id: str, subject_ref: str) -> str:
    return "claim:" + ctx.keys.keyed_hash(f"claim|{deployment_id}|{subject_ref}")


def _token_hash(ctx: ServiceContext, code: str) -> str:
    return ctx.keys.keyed_hash("form|" + code.strip().upper())


def issue_claim(ctx: ServiceContext, deps: PersonDeps, deployment_id: str, subject_ref: str, *, actor: str,
                proof: str, ttl: timedelta = STAFF_CLAIM_TTL) -> tuple[str, datetime]:
    """A one-time claim code for ``subject_ref`` at this deployment; the issuing is recorded (M-9.3)."""
    check_ref(subject_ref)
    if not timedelta(0) < ttl <= MAX_CLAIM_TTL:
        raise InvalidInput("claim_ttl_invalid", "A claim code lives between 1 minute and 7 days.",
                           "确认码有效期须在1分钟至7天之间。", article_id="M-14.3")
    code = CLAIM_PREFIX + secrets.token_hex(8).upper()  # 64 bits, bound to one reference: guessing is hopeless
    now = ctx.clock.now()
    with ctx.store.transaction() as tx:
        d = load_deployment(tx, deployment_id)
        tx.person.add_form_token(_token_hash(ctx, code), CLAIM_KIND, _scope(ctx, d.id, subject_ref),
                                          now, now + ttl)
        record(ctx, tx, "claim_issued", actor=actor, deployment=d, subject_ref=subject_ref, allowed=True,
               detail={"proof": proof, "expires_at": (now + ttl).isoformat()})
    return code, now + ttl


def _spend_claim(ctx: ServiceContext, deps: PersonDeps, deployment_id: str, subject_ref: str, code: str) -> None:
    state = "unknown"
    if 0 < len(code) <= 64:
        with ctx.store.transaction() as tx:
            state = tx.person.spend_form_token(_token_hash(ctx, code), CLAIM_KIND,
                                                        _scope(ctx, deployment_id, subject_ref), ctx.clock.now())
    if state != "ok":
        raise Forbidden("claim_code_invalid",
                        "This confirmation code is not valid for this reference (wrong, used or expired). "
                        "Please ask staff.", "此确认码对该编号无效（错误、已使用或已过期），请联系工作人员。",
                        article_id="M-14.3")


def kiosk_reference(ctx: ServiceContext, deps: PersonDeps, deployment_id: str, typed: str,
                    claim_code: str) -> tuple[str, bool, bool]:
    """The reference a kiosk consent is for: (reference, must_be_new, was_issued).

    Nothing typed: a fresh reference. A typed reference with a valid claim code: that
    reference, existing or not. A typed reference without one: only if it is new to the
    processor, which ``give_consent`` checks in the same transaction that creates it.
    """
    typed, claim_code = typed.strip(), claim_code.strip()
    if not typed:
        return fresh_reference(), True, True
    check_ref(typed)
    if claim_code:
        _spend_claim(ctx, deps, deployment_id, typed, claim_code)
        return typed, False, False
    return typed, True, False
