"""The `facegate` command: the root Typer app and its command groups."""

from __future__ import annotations

import typer

from facegate.cli import (bulk, calibrate, check, consent, deploy, engines, faces, locks, records, requests, serve,
                          workbench)
from facegate.cli.output import EXIT_CODES

app = typer.Typer(
    help="facegate: face recognition under China's 2025 face recognition Measures.\n\n"
         "Every command prints its results for people, or as JSON with --json.",
    epilog="Exit codes (every command):\n\n" + "\n\n".join(f"{c}  {m}" for c, m in EXIT_CODES.items()),
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
faces.register(app)
bulk.register(app)
calibrate.register(app)
engines.register(app)
serve.register(app)
app.add_typer(consent.app, name="consent")
app.add_typer(deploy.app, name="deploy")
app.add_typer(locks.app, name="locks")
app.add_typer(requests.app, name="requests")
check.register(app)
records.register(app)
workbench.register(app)

if __name__ == "__main__":
    app()
