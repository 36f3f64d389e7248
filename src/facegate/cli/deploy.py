"""`facegate deploy apply|list|show|diff|deactivate|activate`: deployments from manifests."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from facegate.cli.context import local_context
from facegate.cli.files import read_manifest
from facegate.cli.output import REFUSED, DeploymentArg, JsonOption, emit, handle_errors
from facegate.errors import InvalidInput
from facegate.cli.lazy import lazy

if TYPE_CHECKING:
    from facegate.domain.model import Deployment
    from facegate.governance import loader
    from facegate.services import deployments as svc
    from facegate.services import openset
else:
    loader = lazy("facegate.governance.loader")
    svc = lazy("facegate.services.deployments")
    openset = lazy("facegate.services.openset")

app = typer.Typer(help="Apply deployment manifests; only compliant ones become active (M-4.4).",
                  no_args_is_help=True)


def _summary(d: Deployment) -> dict[str, Any]:
    return {"id": d.id, "name": d.name, "name_zh": d.name_zh, "version": d.version, "status": d.status.value,
            "mode": d.mode.value, "purposes": list(d.purposes), "notice_version": d.notice_version,
            "alternatives": [asdict(a) for a in d.alternatives]}


@app.command()
@handle_errors
def apply(manifest: Path = typer.Argument(..., help="Deployment manifest (YAML); see `facegate schema manifest`."),
          as_json: bool = JsonOption) -> None:
    """Store a new version; it is activated only when no finding blocks it. Exit 3 when blocked (M-4.4)."""
    try:
        text = read_manifest(manifest, loader.MAX_MANIFEST_CHARS)
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput("manifest_unreadable", f"Cannot read {manifest}: {exc}.", f"无法读取{manifest}。") from None
    r = svc.apply_manifest_text(local_context().services, text, str(manifest), actor="cli")
    blocking = [f for f in r.findings if f["severity"] == "blocking"]
    human = [f"{r.deployment.id} v{r.deployment.version}: {r.deployment.status.value}"
             + ("" if r.is_new_version else " (unchanged)")]
    if r.consent_scope_changed:
        human.append("purposes, method or face data types changed: earlier consents need renewing (M-6.4)")
    human += [f"  blocking {f['rule_id']} ({', '.join(f['requirement_ids'])}): {f['message_en']} / {f['message_zh']}"
              for f in blocking]
    emit({**_summary(r.deployment), "is_new_version": r.is_new_version,
          "consent_scope_changed": r.consent_scope_changed, "findings": list(r.findings)}, as_json, "\n".join(human))
    if blocking:
        raise typer.Exit(REFUSED)


@app.command("list")
@handle_errors
def list_(as_json: bool = JsonOption) -> None:
    """List deployments with their version, status, mode and declared purposes."""
    items = [_summary(d) for d in svc.list_deployments(local_context().services)]
    if as_json:
        typer.echo(json.dumps(items, ensure_ascii=False, indent=2))
        return
    if not items:
        typer.echo("no deployments (apply one with `facegate deploy apply MANIFEST`)")
        return
    width = max(len("DEPLOYMENT"), *(len(d["id"]) for d in items))
    typer.echo(f"{'DEPLOYMENT':<{width}}  {'VER':<4} {'STATUS':<9} {'MODE':<9} {'PURPOSES':<32} NAME")
    for d in items:
        typer.echo(f"{d['id']:<{width}}  v{d['version']:<3} {d['status']:<9} {d['mode']:<9} "
                   f"{','.join(d['purposes']):<32} {d['name_zh']} / {d['name']}")


@app.command()
@handle_errors
def show(deployment: DeploymentArg, as_json: bool = JsonOption) -> None:
    """Show one deployment and the findings of its current version."""
    ctx = local_context().services
    d = svc.get_deployment(ctx, deployment)
    findings = svc.deployment_versions(ctx, deployment)[-1]["findings"]
    plans = {p: r.to_dict() for p, r in openset.deployment_plans(ctx, deployment).items()}
    lines = [f"{k}: {v}" for k, v in _summary(d).items()]
    lines += [f"1:N {p}: threshold {r['threshold']} (margin {r['margin']}) for {r['gallery_size']} templates, "
              f"expected FPIR {r['expected_fpir']} (target {r['target_fpir']}), expected miss {r['expected_miss']}"
              + ("" if r["is_usable"] else "  NOT USABLE (FGR-04-01)") for p, r in plans.items()]
    lines += [f"  {f['severity']:<8} {f['rule_id']} (Art. {f['article']}): {f['message_en']}" for f in findings]
    emit({**_summary(d), "open_set": plans, "findings": findings}, as_json, "\n".join(lines))


@app.command()
@handle_errors
def diff(deployment: DeploymentArg,
         old: int | None = typer.Option(None, help="Older version (default: the one before --new)."),
         new: int | None = typer.Option(None, help="Newer version (default: the current one)."),
         as_json: bool = JsonOption) -> None:
    """What changed between two versions (default: the last two)."""
    r = svc.diff_versions(local_context().services, deployment, old, new)
    lines = [f"{deployment}: v{r['old']} -> v{r['new']}"]
    lines += [f"  {k}: {c['old']!r} -> {c['new']!r}" for k, c in r["changes"].items()] or ["  no changes"]
    emit(r, as_json, "\n".join(lines))


@app.command()
@handle_errors
def deactivate(deployment: DeploymentArg, as_json: bool = JsonOption) -> None:
    """Stop face processing for a deployment (alternatives keep working)."""
    d = svc.set_active(local_context().services, deployment, False)
    emit(_summary(d), as_json, f"{d.id}: {d.status.value}")


@app.command()
@handle_errors
def activate(deployment: DeploymentArg, as_json: bool = JsonOption) -> None:
    """Re-activate a deployment whose current version has no blocking finding. Exit 3 when blocked."""
    d = svc.set_active(local_context().services, deployment, True)
    emit(_summary(d), as_json, f"{d.id}: {d.status.value}")
    if d.status.value == "blocked":
        typer.echo(f"refused [deployment_blocked] (M-4.4): {d.id} has a blocking finding; see "
                   f"`facegate deploy show {d.id}`. / 该部署存在阻断性问题，不能启用。", err=True)
        raise typer.Exit(REFUSED)


@app.command("event-ended")
@handle_errors
def event_ended(deployment: DeploymentArg,
                subject: str = typer.Argument(..., help="The person's pseudonymous reference in your system."),
                on: str = typer.Option(..., "--on", help="YYYY-MM-DD: the day the declared event happened "
                                       "(move-out, end of membership)."),
                as_json: bool = JsonOption) -> None:
    """The manifest's retention event happened for SUBJECT: their face data expires the declared days later (M-8.5)."""
    from datetime import date

    from facegate.services.retention import relationship_ended

    try:
        day = date.fromisoformat(on)
    except ValueError:
        raise InvalidInput("date_invalid", "Dates are YYYY-MM-DD.", "日期格式应为YYYY-MM-DD。") from None
    moved = relationship_ended(local_context().services, deployment, subject, day, actor="cli")
    emit({"deployment_id": deployment, "event_on": on, "templates": moved}, as_json,
         f"{deployment}: {moved} template(s) of {subject} now expire after the declared days from {on}")
