"""`facegate consent give|withdraw`: separate consent and its withdrawal."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from typing import TYPE_CHECKING

import typer

from facegate.cli.context import local_context
from facegate.cli.output import DeploymentArg, JsonOption, SubjectArg, emit, handle_errors
from facegate.domain.model import ConsentActor
from facegate.errors import InvalidInput
from facegate.cli.lazy import lazy

if TYPE_CHECKING:
    from facegate.services import consent as svc
    from facegate.services import deployments
else:
    svc = lazy("facegate.services.consent")
    deployments = lazy("facegate.services.deployments")

app = typer.Typer(help="Record or withdraw a person's separate consent to face processing.", no_args_is_help=True)


def _born(birth_date: str | None) -> date | None:
    try:
        return date.fromisoformat(birth_date) if birth_date else None
    except ValueError:
        raise InvalidInput("birth_date_invalid", "The date of birth must be YYYY-MM-DD.",
                           "出生日期格式应为YYYY-MM-DD。", article_id="M-7.1") from None


BIRTH = typer.Option(None, help="YYYY-MM-DD; under 14 needs a guardian (M-7.1).")
ATTESTED = typer.Option(None, "--age-14-or-over", metavar="WHO",
                        help="Instead of a birth date: who checked that the person is 14 or over (M-7.1).")
SEPARATE = typer.Option([], "--separate", help="A separate consent given too: internet_transmission, cross_border.")


@app.command()
@handle_errors
def give(deployment: DeploymentArg, subject: SubjectArg,
         purpose: str = typer.Option(..., "--purpose", "-p", help="The declared purpose consented to."),
         notice_version: str | None = typer.Option(None, help="Defaults to the deployment's current notice."),
         channel: str = typer.Option("cli", help="Where consent was given (kiosk, app, paper...) (M-6.2)."),
         birth_date: str | None = BIRTH, age_14_or_over: str | None = ATTESTED,
         separate: list[str] = SEPARATE,
         guardian_ref: str | None = typer.Option(None, help="The guardian's reference, for under-14s (M-7.2)."),
         relationship: str | None = typer.Option(None, help="parent or other_guardian"),
         as_json: bool = JsonOption) -> None:
    """Record SUBJECT's consent (or their guardian's) to the deployment's current notice."""
    ctx = local_context().services
    notice = notice_version or deployments.get_deployment(ctx, deployment).notice_version
    r = svc.give_consent(ctx, svc.ConsentRequest(
        deployment, subject, purpose, notice, channel, ConsentActor.GUARDIAN if guardian_ref else ConsentActor.SELF,
        _born(birth_date), guardian_ref, relationship, age_14_or_over, tuple(separate)), actor="cli")
    emit({**asdict(r), "actor": r.actor.value, "kind": r.kind.value}, as_json,
         f"consent recorded; receipt {r.receipt_code}")


@app.command()
@handle_errors
def notice(deployment: DeploymentArg, subject: SubjectArg,
           purpose: str = typer.Option(..., "--purpose", "-p", help="The declared purpose the notice covers."),
           notice_version: str | None = typer.Option(None, help="Defaults to the deployment's current notice."),
           channel: str = typer.Option("cli", help="Where the notice was given (kiosk, app, paper...)."), birth_date: str | None = BIRTH, age_14_or_over: str | None = ATTESTED,
           separate: list[str] = SEPARATE, as_json: bool = JsonOption) -> None:
    """Where a law is the basis: record that SUBJECT was given the current notice (M-5.1)."""
    ctx = local_context().services
    version = notice_version or deployments.get_deployment(ctx, deployment).notice_version
    r = svc.record_notice(ctx, svc.ConsentRequest(
        deployment, subject, purpose, version, channel, ConsentActor.SELF, _born(birth_date),
        age_attested_by=age_14_or_over, separate_consents=tuple(separate)), actor="cli")
    emit({**asdict(r), "actor": r.actor.value, "kind": r.kind.value}, as_json,
         f"notice recorded; receipt {r.receipt_code}")


@app.command()
@handle_errors
def withdraw(deployment: DeploymentArg, subject: SubjectArg,
             purpose: str | None = typer.Option(None, "--purpose", "-p", help="Only this purpose (default: all)."),
             as_json: bool = JsonOption) -> None:
    """Withdraw consent; the templates of that scope are destroyed at once."""
    r = svc.withdraw_consent(local_context().services, deployment, subject, purpose, actor="cli")
    emit(asdict(r), as_json, f"withdrawn {r.withdrawn} consent(s); {r.templates_deleted} template(s) destroyed; "
                             f"receipt {r.receipt_code}")


@app.command()
@handle_errors
def claim(deployment: DeploymentArg, subject: SubjectArg,
          minutes: int = typer.Option(30, min=1, max=7 * 24 * 60, help="How long the code lives (a booking: longer)"),
          as_json: bool = JsonOption) -> None:
    """Issue a one-time claim code: staff vouch that the person at the kiosk owns SUBJECT (issue 11 item 1)."""
    from datetime import timedelta

    from facegate.services import claims

    ctx = local_context()
    code, expires_at = claims.issue_claim(ctx.services, ctx.person, deployment, subject, actor="cli",
                                          proof="operator_cli", ttl=timedelta(minutes=minutes))
    emit({"claim_code": code, "deployment_id": deployment, "expires_at": expires_at.isoformat()}, as_json,
         f"claim code {code} for {subject}, valid until {expires_at.isoformat()}")
