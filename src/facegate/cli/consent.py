"""`facegate consent give|withdraw`: separate consent and its withdrawal."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date

import typer

from facegate.cli.context import local_context
from facegate.cli.output import DeploymentArg, JsonOption, SubjectArg, emit, handle_errors
from facegate.domain.model import ConsentActor
from facegate.services import consent as svc
from facegate.services.deployments import get_deployment

app = typer.Typer(help="Record or withdraw a person's separate consent to face processing.", no_args_is_help=True)


@app.command()
@handle_errors
def give(deployment: DeploymentArg, subject: SubjectArg,
         purpose: str = typer.Option(..., "--purpose", "-p", help="The declared purpose consented to."),
         notice_version: str | None = typer.Option(None, help="Defaults to the deployment's current notice."),
         channel: str = typer.Option("cli", help="Where consent was given (kiosk, app, paper...) (M-6.2)."),
         birth_date: str | None = typer.Option(None, help="YYYY-MM-DD; under 14 needs a guardian."),
         guardian_ref: str | None = typer.Option(None, help="The guardian's reference, for under-14s (M-7.2)."),
         relationship: str | None = typer.Option(None, help="parent or other_guardian"),
         as_json: bool = JsonOption) -> None:
    """Record SUBJECT's consent (or their guardian's) to the deployment's current notice."""
    ctx = local_context().services
    notice = notice_version or get_deployment(ctx, deployment).notice_version
    try:
        born = date.fromisoformat(birth_date) if birth_date else None
    except ValueError:
        from facegate.errors import InvalidInput

        raise InvalidInput("birth_date_invalid", "The date of birth must be YYYY-MM-DD.", "出生日期格式应为YYYY-MM-DD。") from None
    r = svc.give_consent(ctx, svc.ConsentRequest(
        deployment, subject, purpose, notice, channel, ConsentActor.GUARDIAN if guardian_ref else ConsentActor.SELF,
        born, guardian_ref, relationship), actor="cli")
    emit({**asdict(r), "actor": r.actor.value}, as_json, f"consent recorded; receipt {r.receipt_code}")


@app.command()
@handle_errors
def withdraw(deployment: DeploymentArg, subject: SubjectArg,
             purpose: str | None = typer.Option(None, "--purpose", "-p", help="Only this purpose (default: all)."),
             as_json: bool = JsonOption) -> None:
    """Withdraw consent; the templates of that scope are destroyed at once."""
    r = svc.withdraw_consent(local_context().services, deployment, subject, purpose, actor="cli")
    emit(asdict(r), as_json, f"withdrawn {r.withdrawn} consent(s); {r.templates_deleted} template(s) destroyed; "
                             f"receipt {r.receipt_code}")
