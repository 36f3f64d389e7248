"""CLI output and the one place that maps errors and refusals to exit codes (EXIT_CODES)."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, ParamSpec, TypeVar

import typer

from facegate.errors import ConfigurationError, FacegateError, RateLimited, Unavailable

if TYPE_CHECKING:
    from facegate.domain.gate import GateDecision

P = ParamSpec("P")
R = TypeVar("R")

OK, NO_MATCH, INVALID, REFUSED, UNAVAILABLE = 0, 1, 2, 3, 4
EXIT_CODES = {
    OK: "success, or a match",
    NO_MATCH: "no match (verify, identify), or a check that failed (audit verify)",
    INVALID: "usage error or invalid input (bad image, unknown deployment, invalid manifest); code printed",
    REFUSED: "refused by the gate or the rule catalogue; the code and requirement ID are printed",
    UNAVAILABLE: "unavailable: port busy, database or Redis down, rate limited, unsafe configuration",
}
EXIT_HELP = "Exit codes: " + "; ".join(f"{code} {meaning}" for code, meaning in EXIT_CODES.items()) + "."

JsonOption = typer.Option(False, "--json", help="Print machine-readable JSON.")
DeploymentArg = Annotated[str, typer.Argument(help="Deployment id (see `facegate deploy list`).", show_default=False)]
SubjectArg = Annotated[str, typer.Argument(help="The person's pseudonymous reference in your system.",
                                           show_default=False)]
ImageArg = Annotated[Path, typer.Argument(help="Photo file (JPEG, PNG, WebP); read into memory, never copied.",
                                          show_default=False)]


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
    """Print a refusal with its code, requirement ID and the alternatives, then exit 3."""
    if as_json:
        typer.echo(json.dumps(decision_dict(decision), ensure_ascii=False, indent=2))
    else:
        for r in decision.reasons:
            typer.echo(f"refused [{r.code}] ({r.article_id}): {r.message_en} / {r.message_zh}", err=True)
        if decision.alternatives:
            alts = "; ".join(f"{a.name_en} ({a.name_zh})" for a in decision.alternatives)
            typer.echo(f"alternatives: {alts}", err=True)
    raise typer.Exit(REFUSED)


def _unavailable(exc: Exception) -> bool:
    from redis.exceptions import ConnectionError as RedisDown
    from sqlalchemy.exc import OperationalError

    return isinstance(exc, (Unavailable, ConfigurationError, RateLimited, OperationalError, RedisDown))


def handle_errors(fn: Callable[P, R]) -> Callable[P, R]:
    """One clear line with the code and an exit code from EXIT_CODES; never a traceback."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return fn(*args, **kwargs)
        except FacegateError as exc:
            where = f" ({exc.article_id})" if exc.article_id else ""
            typer.echo(f"error [{exc.code}]{where}: {exc.message_en} / {exc.message_zh}", err=True)
            errors = exc.detail.get("errors")
            for item in errors if isinstance(errors, list) else []:
                typer.echo(f"  - {item}", err=True)
            raise typer.Exit(UNAVAILABLE if _unavailable(exc) else INVALID) from None
        except Exception as exc:
            if not _unavailable(exc):
                raise
            # The database or Redis is down: say which, without the URL (it may hold a password).
            typer.echo(f"error [unavailable]: {type(exc).__name__}: the database or Redis cannot be reached. / "
                       "无法连接数据库或Redis。", err=True)
            raise typer.Exit(UNAVAILABLE) from None

    return wrapper
