"""Answering people's requests and complaints: answer, or refuse with a reason, in time (M-16.2).

PIPL Art. 50: 个人信息处理者应当建立便捷的个人行使权利的申请受理和处理机制。拒绝个人行使权利的请求的，
应当说明理由。 So an open request or complaint is closed only by an operator's answer; a refusal
without a reason is not accepted; whether the answer came by the working-day due date is kept
with it; and the person sees the answer when they look up their receipt (services.person.lookup).

Codes: ``request_unknown`` (404), ``request_closed`` (409, already answered),
``request_answer_invalid`` (400: empty, too long, or a refusal without a reason).
"""

from __future__ import annotations

from dataclasses import replace

from facegate.errors import Conflict, InvalidInput, NotFound
from facegate.services.common import load_deployment, record
from facegate.services.context import ServiceContext
from facegate.ports.person import PersonRequest
from facegate.services.person import PersonDeps

OUTCOMES = ("answered", "refused")
MAX_ANSWER = 2000
# Shown with every refusal (PIPL Art. 50 para 2): the person may go to court.
REFUSAL_NOTE_ZH = "如对拒绝理由有异议，您可以依法向人民法院提起诉讼，也可以向网信等部门投诉、举报。"
REFUSAL_NOTE_EN = ("If you disagree with the reason for refusal, you may bring a lawsuit before a people's court, "
                   "or complain to the cyberspace authorities.")


def get_request(ctx: ServiceContext, deps: PersonDeps, request_id: str) -> PersonRequest:
    row = None
    if request_id and len(request_id) <= 36:
        with ctx.store.transaction(readonly=True) as tx:
            row = tx.person.get_request(request_id)
    if row is None:
        raise NotFound("request_unknown", "No such request.", "没有该请求。")
    return row


def answer_request(ctx: ServiceContext, deps: PersonDeps, request_id: str, *, outcome: str, text: str,
                   actor: str) -> PersonRequest:
    """Close an open request with the operator's answer, or a refusal and its reason (PIPL Art. 50)."""
    text = (text or "").strip()
    if outcome not in OUTCOMES:
        raise InvalidInput("request_answer_invalid", "The outcome is 'answered' or 'refused'.",
                           "处理结果须为“已答复”或“拒绝”。", article_id="M-16.2", detail={"allowed": list(OUTCOMES)})
    if not text or len(text) > MAX_ANSWER:
        reason = ("A refusal must give its reason (PIPL Art. 50)." if outcome == "refused"
                  else "Write the answer the person will see.")
        raise InvalidInput("request_answer_invalid", f"{reason} At most {MAX_ANSWER} characters.",
                           ("拒绝请求须说明理由（个人信息保护法第五十条）。" if outcome == "refused"
                            else "请填写将告知个人的答复。") + f"不超过{MAX_ANSWER}字。", article_id="M-16.2")
    now = ctx.clock.now()
    with ctx.store.transaction() as tx:
        store = tx.person
        row = store.get_request(request_id)
        if row is None:
            raise NotFound("request_unknown", "No such request.", "没有该请求。")
        req = row
        if req.status != "open":
            raise Conflict("request_closed", f"This request was already {req.status}.", "该请求已处理。",
                           article_id="M-16.2")
        on_time = now.date() <= req.due_on
        detail = {**req.detail, "answer": text, "answered_by": actor, "answered_on": now.date().isoformat(),
                  "on_time": on_time}
        if outcome == "refused":
            detail["refusal_note_zh"], detail["refusal_note_en"] = REFUSAL_NOTE_ZH, REFUSAL_NOTE_EN
        # The integrator's reference was kept only while the request was open (tables_person).
        done = replace(req, status=outcome, completed_at=now, subject_ref=None, detail=detail)
        store.update_request(done)
        deployment = load_deployment(tx, req.deployment_id) if req.deployment_id else None
        record(ctx, tx, "request_answered", actor=actor, deployment=deployment, allowed=True,
               codes=("request_refused",) if outcome == "refused" else (),
               detail={"request": req.id, "kind": req.kind, "outcome": outcome, "due_on": req.due_on.isoformat(),
                       "on_time": on_time})
    return done
