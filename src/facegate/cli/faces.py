"""`facegate enroll|verify|identify|delete|alternative|held`: face operations on the local store."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from facegate.cli.context import local_context
from facegate.cli.files import read_image
from facegate.cli.output import (
    NO_MATCH,
    DeploymentArg,
    ImageArg,
    JsonOption,
    SubjectArg,
    decision_dict,
    emit,
    handle_errors,
    refused,
)
from facegate.cli.lazy import lazy

if TYPE_CHECKING:
    from facegate.services import faces, subjects
else:
    faces = lazy("facegate.services.faces")
    subjects = lazy("facegate.services.subjects")

PurposeOption = typer.Option(..., "--purpose", "-p", help="One of the deployment's declared purposes.")


def _read(path: Path) -> bytes:
    """The image, read with the same cap as the API's (FACEGATE_MAX_IMAGE_BYTES): /dev/zero is refused."""
    from facegate.settings import Settings

    return read_image(path, Settings().max_image_bytes)


def register(app: typer.Typer) -> None:
    @app.command()
    @handle_errors
    def enroll(deployment: DeploymentArg, subject: SubjectArg, image: ImageArg, purpose: str = PurposeOption, as_json: bool = JsonOption) -> None:
        """Enroll SUBJECT's face from IMAGE (needs recorded consent)."""
        r = faces.enroll(local_context().services, deployment, subject, purpose, _read(image), actor="cli")
        if not r.decision.allowed:
            refused(r.decision, as_json)
        emit({**decision_dict(r.decision), "template_id": r.template_id, "expires_at": r.expires_at}, as_json,
             f"enrolled {subject} in {deployment} (template {r.template_id}, expires {r.expires_at})")

    @app.command()
    @handle_errors
    def verify(deployment: DeploymentArg, subject: SubjectArg, image: ImageArg, purpose: str = PurposeOption, as_json: bool = JsonOption) -> None:
        """1:1 verify IMAGE against SUBJECT. Exit 0 on a match, 1 on no match, 3 when refused."""
        r = faces.verify(local_context().services, deployment, subject, purpose, _read(image), actor="cli")
        if not r.decision.allowed:
            refused(r.decision, as_json)
        verdict = "match" if r.is_match else "no match"
        changed = f"\nnotice changed since consent: {', '.join(r.notice_changes)} (M-5.4)" if r.notice_changes else ""
        emit({**decision_dict(r.decision), "is_match": r.is_match, "distance": r.distance, "threshold": r.threshold,
              "score": r.score, "notice_changes": list(r.notice_changes)},
             as_json, f"{verdict}: distance {r.distance} (threshold {r.threshold}){changed}")
        if not r.is_match:
            raise typer.Exit(NO_MATCH)

    @app.command()
    @handle_errors
    def identify(deployment: DeploymentArg, image: ImageArg, purpose: str = PurposeOption,
                 top_k: int = typer.Option(5, min=1, max=50, help="Most candidates to list."),
                 as_json: bool = JsonOption) -> None:
        """1:N identify IMAGE within the deployment's consented gallery. Exit 1 when nobody matches."""
        r = faces.identify(local_context().services, deployment, purpose, _read(image), top_k=top_k, actor="cli")
        if not r.decision.allowed:
            refused(r.decision, as_json)
        lines = [f"{c.subject_ref}\t{c.distance}" for c in r.candidates] or [f"nobody named ({r.outcome})"]
        rule = r.open_set.to_dict() if r.open_set else None
        if rule:
            lines.append(f"threshold {rule['threshold']} for {rule['gallery_size']} templates: expected FPIR "
                         f"{rule['expected_fpir']}, expected miss {rule['expected_miss']}")
        emit({**decision_dict(r.decision), "candidates": [asdict(c) for c in r.candidates], "outcome": r.outcome,
              "threshold": r.threshold, "open_set": rule}, as_json, "\n".join(lines))
        if not r.candidates:
            raise typer.Exit(NO_MATCH)

    @app.command()
    @handle_errors
    def delete(deployment: DeploymentArg, subject: SubjectArg, as_json: bool = JsonOption,
               everywhere: bool = typer.Option(False, "--everywhere",
                                               help="Erase in every deployment of the processor")) -> None:
        """Delete what DEPLOYMENT holds about SUBJECT; the data key goes with the last of it."""
        r = subjects.delete_subject(local_context().services, deployment, subject, actor="cli", everywhere=everywhere)
        emit(asdict(r), as_json, f"deleted {subject} ({r.scope}): {r.templates_deleted} template(s), "
                                 f"key destroyed: {r.key_destroyed}, receipt {r.receipt_code}")

    @app.command()
    @handle_errors
    def alternative(deployment: DeploymentArg,
                    method: str = typer.Argument(..., help="One of the deployment's alternative codes (M-10.1)."),
                    purpose: str = PurposeOption,
                    subject: str | None = typer.Option(None, help="The person's reference, when known."),
                    verified: bool = typer.Option(..., "--verified/--failed", help="Whether the check passed."),
                    as_json: bool = JsonOption) -> None:
        """Record a non-face check (card, PIN, staff) that the integrator performed."""
        r = subjects.use_alternative(local_context().services, deployment, purpose, method, verified, subject,
                                     actor="cli")
        if not r.decision.allowed:
            refused(r.decision, as_json)
        emit({**decision_dict(r.decision), "is_verified": r.is_verified}, as_json,
             f"alternative {method}: {'verified' if r.is_verified else 'not verified'}")

    @app.command()
    @handle_errors
    def held(deployment: DeploymentArg, subject: SubjectArg, as_json: bool = JsonOption,
             everywhere: bool = typer.Option(False, "--everywhere", help="Every deployment of the processor")) -> None:
        """Show what DEPLOYMENT holds about SUBJECT (metadata only, never the template)."""
        r = subjects.what_is_held(local_context().services, deployment, subject, everywhere=everywhere)
        human = "\n".join([f"consent {c.purpose} by {c.actor} at {c.given_at}"
                           + (f", withdrawn {c.withdrawn_at}" if c.withdrawn_at else "") for c in r.consents]
                          + [f"template {t['purpose']} expires {t['expires_at']}" for t in r.templates])
        emit(asdict(r), as_json, human or "nothing held")
