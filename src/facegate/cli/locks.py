"""`facegate locks list|lift`: face-path locks after failed matches, lifted with a reason (M-14.5).

Lifts are written to the database, so they reach a running server even when its
counters live in its own memory; every lift is in the processing record.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from facegate.cli.context import local_context
from facegate.cli.output import DeploymentArg, JsonOption, SubjectArg, emit, handle_errors
from facegate.cli.lazy import lazy

if TYPE_CHECKING:
    from facegate.services import locks as svc
else:
    svc = lazy("facegate.services.locks")

app = typer.Typer(help="See and lift face-path locks after repeated failed matches.", no_args_is_help=True)


@app.command("list")
@handle_errors
def list_locks(deployment: str | None = typer.Argument(None, help="Only this deployment"),
               as_json: bool = JsonOption) -> None:
    """Locks in force now (pseudonymous keys, when they end, which lock of the day)."""
    found = svc.active_locks(local_context().services, (deployment,) if deployment else None)
    lines = [f"{lk.deployment_id}\t{lk.subject_key[:12]}\tuntil {lk.until.isoformat()}\tlevel {lk.level}"
             for lk in found]
    emit({"locks": [lk.as_dict() for lk in found]}, as_json, "\n".join(lines) or "no locks in force")


@app.command()
@handle_errors
def lift(deployment: DeploymentArg, subject: SubjectArg, reason: str = typer.Option(..., "--reason", "-r", help="Why; recorded"),
         actor: str = typer.Option("cli", help="Who lifts it (staff name or id), for the record"),
         as_json: bool = JsonOption) -> None:
    """Lift SUBJECT's lock at DEPLOYMENT; the face path opens again at once."""
    lk = svc.lift_lock(local_context().services, deployment, subject, reason=reason, actor=f"cli:{actor}"[:64])
    emit({"lifted": True, **lk.as_dict()}, as_json, f"lifted the lock on {subject} at {deployment} "
                                                    f"(was until {lk.until.isoformat()})")
