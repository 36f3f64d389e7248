"""`facegate engines`: which engines run here and how many templates each holds (a planned switch's progress)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from facegate.cli.context import local_context
from facegate.cli.lazy import lazy
from facegate.cli.output import JsonOption, emit, handle_errors

if TYPE_CHECKING:
    from facegate.services import engines as svc
else:
    svc = lazy("facegate.services.engines")


def register(app: typer.Typer) -> None:
    @app.command("engines")
    @handle_errors
    def engines(deployment: str | None = typer.Argument(None, help="Only this deployment"),
                as_json: bool = JsonOption) -> None:
        """Templates per engine, per deployment and purpose: a switch is done when the old engine holds none."""
        ctx = local_context().services
        running = svc.running(ctx)
        rows = svc.progress(ctx, deployment)
        current = svc.engine_id(ctx.engine)
        lines = [f"enrols on {current.key} ({svc.metric_of(ctx.engine).value})"]
        lines += [f"kept for older templates: {e.key}" for e in running if e != current]
        lines += [f"{r.deployment_id}\t{r.purpose}\t{r.engine}:{r.engine_version}\t{r.templates}"
                  + ("" if r.is_running else "\tNOT RUNNING: these templates match nothing; enrol these people again")
                  for r in rows] or ["no templates"]
        emit({"current": current.key, "running": [e.key for e in running], "galleries": [r.to_dict() for r in rows]},
             as_json, "\n".join(lines))
