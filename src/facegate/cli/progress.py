"""Progress of long commands (PIA, dossier, key rotation, purge) on stderr, with rich (issue 14).

Shown only when stderr is a terminal, or with ``--progress``; ``--no-progress`` hides it.
It never writes to stdout, so ``--json`` output stays exactly one JSON document.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Protocol

import typer

ProgressOption = typer.Option(None, "--progress/--no-progress",
                              help="Show progress on stderr (default: only when stderr is a terminal).")


class Report(Protocol):
    def __call__(self, step: str, done: int = 0, total: int | None = None) -> None:
        """``step`` now; ``done`` of ``total`` units (``total`` None: a step of unknown length)."""
        ...


def _silent(step: str, done: int = 0, total: int | None = None) -> None:
    return None


@contextmanager
def progress(enabled: bool | None, first_step: str) -> Iterator[Report]:
    """A ``Report`` that drives a rich progress bar on stderr, or does nothing."""
    if not (enabled if enabled is not None else sys.stderr.isatty()):
        yield _silent
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    console = Console(stderr=True)
    columns = (SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn())
    with Progress(*columns, console=console, transient=False) as bar:
        task = bar.add_task(first_step, total=None)

        def report(step: str, done: int = 0, total: int | None = None) -> None:
            bar.update(task, description=step, completed=done, total=total)

        yield report
        bar.update(task, description="done", completed=1 if bar.tasks[0].total is None else bar.tasks[0].total,
                   total=bar.tasks[0].total or 1)
