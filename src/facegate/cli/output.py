"""CLI output and the one place that maps errors and refusals to exit codes.

Exit codes: 0 done, 1 refused by the gate (or no match), 2 bad input or error.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import Any, TypeVar

import typer

from facegate.domain.gate import GateDecision
from facegate.errors import ConfigurationError, FacegateError, Unavailable

F = TypeVar("F", bound=Callable[..., Any])

JsonOption = typer.Option(False, "--json", help="Print machine-readable JSON.")


def emit(data: dict[str, Any], as_json: bool, human: str) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str) if as_json else human)


def decision_dict(decision: GateDecision) -> dict[str, Any]:
    return {
        "allowed": decision.allowed,
        "reasons": [{"code": r.code, "article_id": r.article_id, "message_en": r.message_en,
                     "message_zh": r.message_zh} for r in decision.reasons],
        "alternatives": [{"code": a.code, "name_en": a.name_en, "name_zh": a.name_zh} for a in decision.alternatives],
    }


def refused(decision: GateDecision, as_json: bool) -> None:
    """Print a refusal with its requirement ID and the alternatives, then exit 1."""
    if as_json:
        typer.echo(json.dumps(decision_dict(decision), ensure_ascii=False, indent=2))
    else:
        for r in decision.reasons:
            typer.echo(f"refused [{r.code}] ({r.article_id}): {r.message_en} / {r.message_zh}", err=True)
        if decision.alternatives:
            alts = "; ".join(f"{a.name_en} ({a.name_zh})" for a in decision.alternatives)
            typer.echo(f"alternatives: {alts}", err=True)
    raise typer.Exit(1)


def handle_errors(fn: F) -> F:
    """One clear line and exit 2 for any facegate error; never a traceback."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except FacegateError as exc:
            where = f" ({exc.article_id})" if exc.article_id else ""
            typer.echo(f"error [{exc.code}]{where}: {exc.message_en} / {exc.message_zh}", err=True)
            for item in exc.detail.get("errors", []) or []:
                typer.echo(f"  - {item}", err=True)
            raise typer.Exit(4 if isinstance(exc, (Unavailable, ConfigurationError)) else 2) from None

    return wrapper  # type: ignore[return-value]
