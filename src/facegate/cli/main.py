"""The `facegate` command: the root Typer app and its command groups."""

from __future__ import annotations

import typer

from facegate.cli import consent, faces, serve

app = typer.Typer(
    help="facegate: face recognition under China's 2025 face recognition Measures.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
faces.register(app)
serve.register(app)
app.add_typer(consent.app, name="consent")

try:  # the rule catalog's commands (check, schema)
    from facegate.cli import check

    check.register(app)
except ImportError:  # pragma: no cover - only while governance is being built
    pass

if __name__ == "__main__":
    app()
