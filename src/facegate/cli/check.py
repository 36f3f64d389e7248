"""`facegate check MANIFEST...` and `facegate schema manifest`: the Measures as code on the CLI."""

from __future__ import annotations

import enum
import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from facegate.cli.files import read_manifest
from facegate.errors import InvalidInput
from facegate.cli.lazy import lazy

if TYPE_CHECKING:
    from facegate.governance import loader, manifest, report
    from facegate.governance.report import CheckResult
else:
    loader = lazy("facegate.governance.loader")
    manifest = lazy("facegate.governance.manifest")
    report = lazy("facegate.governance.report")


class OutputFormat(str, enum.Enum):
    TEXT = "text"
    JSON = "json"
    MARKDOWN = "markdown"
    SARIF = "sarif"


def _read(path: Path) -> CheckResult:
    try:
        text = read_manifest(path, loader.MAX_MANIFEST_CHARS)
    except InvalidInput as exc:
        return report.unreadable(str(path), exc.message_en)
    except (OSError, UnicodeDecodeError) as exc:
        return report.unreadable(str(path), exc.strerror if isinstance(exc, OSError) and exc.strerror
                          else type(exc).__name__)
    return report.check_text(text, str(path))


def check(
    manifests: Annotated[list[Path], typer.Argument(help="Deployment manifest YAML files.")],
    output_format: Annotated[OutputFormat, typer.Option(
        "--format", "-f", help="Output format.", case_sensitive=False)] = OutputFormat.TEXT,
) -> None:
    """Check manifests against the rule catalog.

    Exit 0: no blocking findings; 3: a blocking finding (refused); 2: an invalid manifest (wins over 3).
    """
    results = [_read(p) for p in manifests]
    typer.echo(report.render(results, output_format.value), nl=False)
    raise typer.Exit(report.exit_code(results))


def schema_manifest() -> None:  # prints JSON already
    """Print the JSON Schema of a deployment manifest."""
    typer.echo(json.dumps(manifest.manifest_json_schema(), ensure_ascii=False, indent=2))


def register(app: typer.Typer) -> None:
    """Add `check` and the `schema` group to the root app."""
    app.command("check")(check)
    schema_app = typer.Typer(help="Published JSON Schemas.", no_args_is_help=True)
    schema_app.command("manifest")(schema_manifest)
    app.add_typer(schema_app, name="schema")
