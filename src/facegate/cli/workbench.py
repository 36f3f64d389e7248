"""`facegate workbench pia|filing|dossier|sign`: the compliance officer's papers from the command line."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from facegate.cli.context import local_context
from facegate.cli.output import DeploymentArg, JsonOption, emit, handle_errors
from facegate.cli.progress import ProgressOption, progress
from facegate.errors import InvalidInput
from facegate.cli.lazy import lazy

if TYPE_CHECKING:
    from facegate.services.context import ServiceContext
    from facegate.services.workbench import assessment, dossier, filing, signs
    from facegate.services.workbench.deps import WorkbenchDeps
else:
    assessment = lazy("facegate.services.workbench.assessment")
    dossier = lazy("facegate.services.workbench.dossier")
    filing = lazy("facegate.services.workbench.filing")
    signs = lazy("facegate.services.workbench.signs")

app = typer.Typer(help="Impact assessments, the filing tracker, the filing dossier and public-place signs.",
                  no_args_is_help=True)


def _ctx() -> tuple[ServiceContext, WorkbenchDeps]:
    ctx = local_context()  # the composition root builds the workbench's dependencies on first use
    return ctx.services, ctx.workbench


def _processor(services: ServiceContext, processor: str | None) -> str:
    if processor:
        return processor
    known = filing.processors(services)
    if len(known) != 1:
        raise InvalidInput("processor_required", f"Name the processor with --processor (known: {', '.join(known)}).",
                           "请用 --processor 指定处理者。")
    return known[0]


def _day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        raise InvalidInput("date_invalid", "Dates are YYYY-MM-DD.", "日期格式应为YYYY-MM-DD。") from None


@app.command()
@handle_errors
def pia(deployment: DeploymentArg,
        out: Path = typer.Option(Path("."), "--out", "-o", help="Folder to write the report(s) into."),
        fmt: str = typer.Option("pdf", "--format", "-f", help="html or pdf."),
        lang: str = typer.Option("both", "--lang", help="zh, en or both."),
        version: int | None = typer.Option(None, help="Write this stored version instead of generating one."),
        reviewer: str | None = typer.Option(None, help="The named reviewer (default: the manifest's approver)."),
        approve: bool = typer.Option(False, "--approve", help="Sign the generated version off as the reviewer."),
        as_json: bool = JsonOption, show: bool | None = ProgressOption) -> None:
    """Generate (or fetch) the impact assessment of DEPLOYMENT and write it as HTML or PDF (M-9.2, M-9.6)."""
    langs = ("zh", "en") if lang == "both" else (lang,)
    with progress(show, "opening the store") as report:
        services, deps = _ctx()
        report("assessing the deployment", 0, len(langs) + 1)
        if version is None:
            rec = assessment.generate(services, deps, deployment, reviewer=reviewer, actor="cli")
            if approve and rec.status == "draft":
                # At the shell the local administrator signs in the reviewer's name (no API key is involved).
                rec = assessment.approve(services, deps, deployment, rec.version,
                                         signer=assessment.Signer(rec.reviewer, "cli"), actor="cli")
        else:
            rec = assessment.get(services, deps, deployment, version)
        out.mkdir(parents=True, exist_ok=True)
        written = []
        for n, code in enumerate(langs, 1):
            report(f"writing the {code} {fmt}", n, len(langs) + 1)
            body, _ = assessment.render(deps, rec, code, fmt)
            path = out / f"pia-{deployment}-v{rec.version}-{code}.{fmt}"
            path.write_bytes(body)
            written.append(str(path))
        report("written", len(langs) + 1, len(langs) + 1)
    emit({"deployment_id": deployment, "version": rec.version, "status": rec.status,
          "risk": rec.document["risk"]["score"], "files": written}, as_json,
         f"PIA v{rec.version} ({rec.status}, risk {rec.document['risk']['score']}/100): {', '.join(written)}")


@app.command("filing")
@handle_errors
def filing_status(processor: str | None = typer.Option(None, help="Processor id (default: the only one)."),
                  today: str | None = typer.Option(None, help="YYYY-MM-DD; default: today."),
                  as_json: bool = JsonOption) -> None:
    """Stored-people count, the filing deadline on the working-day calendar and the countdown (M-15.x)."""
    services, deps = _ctx()
    v = filing.view(services, deps, _processor(services, processor), _day(today))
    data = filing.status_json(v)
    if v.error is not None:
        emit(data, as_json, f"{v.count:,} people stored; error [{v.error.code}] ({v.error.article_id}): "
                            f"{v.error.message_en} / {v.error.message_zh}")
        raise typer.Exit(2)
    nxt = v.next_due
    due = (f"; {nxt.label_en} due {nxt.due_on} ({nxt.countdown.working_days_left} working days left)"
           if nxt and nxt.countdown else "; no filing due")
    emit(data, as_json, f"{v.count:,} people stored (threshold 100,000){due}")


@app.command("dossier")
@handle_errors
def dossier_zip(processor: str | None = typer.Option(None, help="Processor id (default: the only one)."),
                out: Path = typer.Option(Path("filing-dossier.zip"), "--out", "-o", help="The zip file to write."),
                as_json: bool = JsonOption, show: bool | None = ProgressOption) -> None:
    """Write the filing dossier (one zip: the five Art. 15 parts as PDF + JSON, PIA reports, forms) (M-15.4)."""
    with progress(show, "opening the store") as report:
        services, deps = _ctx()
        body = dossier.build(services, deps, _processor(services, processor), actor="cli", progress=report)
        out.write_bytes(body)
    emit({"path": str(out), "bytes": len(body)}, as_json, f"dossier written to {out} ({len(body):,} bytes)")


@app.command("sign")
@handle_errors
def sign(deployment: DeploymentArg, fmt: str = typer.Option("pdf", "--format", "-f", help="svg, pdf or png."),
         size: str = typer.Option("A4", help="A4 or A3."),
         out: Path | None = typer.Option(None, "--out", "-o", help="File to write (default: sign-DEPLOYMENT-SIZE.FMT)."),
         as_json: bool = JsonOption) -> None:
    """Write the public-place sign of DEPLOYMENT with its QR code to the notice page (M-13.2)."""
    services, deps = _ctx()
    body, _ = signs.sign(services, deps, deployment, fmt, size)
    path = out or Path(f"sign-{deployment}-{size}.{fmt}")
    path.write_bytes(body)
    emit({"path": str(path), "bytes": len(body), "notice_url": signs.notice_url(deps, deployment)}, as_json,
         f"sign written to {path}")


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="workbench")
