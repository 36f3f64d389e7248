"""The console's and the CLI's handle on the workbench's dependencies, which bootstrap.build_context builds.

``<data_dir>/calendar.yaml`` (read at start; see adapters.calendar_cn.calendar_for)
adds holiday arrangements published after the installed chinese-calendar.
"""

from __future__ import annotations

from facegate.bootstrap import AppContext
from facegate.services.workbench.deps import WorkbenchDeps


def workbench_deps(ctx: AppContext) -> WorkbenchDeps:
    """``ctx.workbench``: kept as a function because every console route and CLI command asks for it this way."""
    return ctx.workbench
