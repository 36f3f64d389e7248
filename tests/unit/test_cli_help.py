"""The CLI explains itself: help on every command and parameter, the exit-code table, --json where results print."""

from __future__ import annotations

from typing import Any

import typer
from typer.testing import CliRunner

from facegate.cli.main import app
from facegate.cli.output import EXIT_CODES

# Commands that print no result a program would parse: files go to --out, JSON is their output already,
# or they run a server.
NO_JSON = {"audit export", "audit anchor", "schema manifest", "serve", "init", "check"}


def _walk(cmd: Any, prefix: str = "") -> list[tuple[str, Any]]:
    if hasattr(cmd, "commands"):  # a group (Typer's own click-like classes)
        return [item for name, sub in cmd.commands.items() for item in _walk(sub, f"{prefix} {name}".strip())]
    return [(prefix, cmd)]


def test_every_command_and_parameter_has_help() -> None:
    commands = _walk(typer.main.get_command(app))
    assert len(commands) > 25
    missing = [name for name, cmd in commands if not (cmd.help or "").strip()]
    missing += [f"{name} {p.name}" for name, cmd in commands for p in cmd.params
                if not (getattr(p, "help", None) or "").strip()]
    assert missing == []


def test_every_command_that_prints_results_takes_json() -> None:
    lacking = [name for name, cmd in _walk(typer.main.get_command(app))
               if name not in NO_JSON and "--json" not in [o for p in cmd.params for o in p.opts]]
    assert lacking == []


def test_root_help_lists_the_exit_codes() -> None:
    out = CliRunner().invoke(app, ["--help"], terminal_width=200).output
    assert sorted(EXIT_CODES) == [0, 1, 2, 3, 4]
    for code, meaning in EXIT_CODES.items():
        assert f"{code}  {meaning}" in " ".join(out.split()).replace(f"{code} {meaning}", f"{code}  {meaning}")
