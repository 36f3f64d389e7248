"""`facegate requests list|answer`: people's requests and complaints, answered or refused with a reason (M-16.2)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from facegate.cli.context import local_context
from facegate.cli.output import JsonOption, emit, handle_errors
from facegate.cli.lazy import lazy

if TYPE_CHECKING:
    from facegate.services import person, requests
else:
    person = lazy("facegate.services.person")
    requests = lazy("facegate.services.requests")

app = typer.Typer(help="People's requests and complaints: list them, answer or refuse with a reason (PIPL Art. 50).",
                  no_args_is_help=True)


@app.command("list")
@handle_errors
def list_requests(status: str | None = typer.Option(None, help="open, completed, answered or refused."),
                  as_json: bool = JsonOption) -> None:
    """Requests and complaints with their working-day due dates, the earliest due first."""
    ctx = local_context()
    today = ctx.services.clock.now().date()
    rows = person.list_requests(ctx.services, ctx.person, status)
    data = {"requests": [{"id": r.id, "kind": r.kind, "status": r.status, "deployment_id": r.deployment_id,
                          "due_on": r.due_on.isoformat(), "overdue": r.status == "open" and r.due_on < today,
                          "text": r.detail.get("text"), "answer": r.detail.get("answer")} for r in rows]}
    human = "\n".join(f"{r['id']}  {r['kind']:<10} {r['status']:<9} due {r['due_on']}"
                      f"{'  OVERDUE' if r['overdue'] else ''}  {r['text'] or ''}" for r in data["requests"])
    emit(data, as_json, human or "No requests or complaints.")


@app.command("answer")
@handle_errors
def answer(request_id: Annotated[str, typer.Argument(help="The request's id (see `facegate requests list`).")],
           text: str = typer.Option(..., "--text", "-t", help="The answer the person sees, or the reason for refusal."),
           refuse: bool = typer.Option(False, "--refuse", help="Refuse the request; --text is then the reason."),
           as_json: bool = JsonOption) -> None:
    """Answer an open request or complaint, or refuse it with a reason; the person sees it in self-service."""
    ctx = local_context()
    done = requests.answer_request(ctx.services, ctx.person, request_id,
                                   outcome="refused" if refuse else "answered", text=text, actor="cli")
    on_time = done.detail.get("on_time")
    emit({"id": done.id, "status": done.status, "due_on": done.due_on.isoformat(), "on_time": on_time}, as_json,
         f"{done.id}: {done.status}{'' if on_time else ' (after the due date ' + done.due_on.isoformat() + ')'}")
