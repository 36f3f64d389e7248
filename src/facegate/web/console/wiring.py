"""The workbench's composition: calendar (plus ``<data_dir>/calendar.yaml``), renderers and store, per AppContext.

The web console and the CLI both call :func:`workbench_deps`; it is the one
place the workbench services meet their adapters. Operators load a newly
published holiday arrangement (e.g. 2027, before chinese-calendar ships it)
by writing ``<data_dir>/calendar.yaml``::

    2027:
      holidays: [2027-01-01, 2027-02-06, ...]   # days off, weekdays included
      workdays: [2027-02-14, ...]               # make-up working days (调休上班日)

No setting is needed; the file is read when the workbench is first used.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from facegate.adapters import reports, signs
from facegate.adapters.calendar_cn import ChineseWorkdayCalendar, YearArrangement, load_supplement
from facegate.adapters.sql.workbench_store import workbench_store
from facegate.bootstrap import AppContext
from facegate.errors import ConfigurationError
from facegate.services.workbench.deps import DEFAULT_GRACE, WorkbenchDeps
from facegate.services.workbench.typed import TypedWorkbench

HERE = Path(__file__).parent
_parts = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(["html"]))


class AdapterRenderer:
    """The Renderer protocol over adapters.reports (Jinja2 + WeasyPrint) and adapters.signs."""

    def pia_html(self, document: dict[str, Any], lang: str) -> str:
        return reports.render_pia_html(document, lang)  # type: ignore[arg-type]

    def pdf(self, html: str) -> bytes:
        return reports.html_to_pdf(html)

    def part_html(self, title_zh: str, title_en: str, sections: list[dict[str, Any]]) -> str:
        return _parts.get_template("dossier_part.html").render(title_zh=title_zh, title_en=title_en, sections=sections)

    def sign(self, fields: dict[str, Any], size: str, fmt: str) -> bytes:
        spec = signs.SignSpec(**fields)
        if fmt == "svg":
            return signs.render_sign_svg(spec, size).encode()  # type: ignore[arg-type]
        if fmt == "pdf":
            return signs.render_sign_pdf(spec, size)  # type: ignore[arg-type]
        return signs.render_sign_png(spec, size)  # type: ignore[arg-type]


def load_calendar_supplement(path: Path) -> dict[int, YearArrangement]:
    """Parse ``calendar.yaml`` (adapters.calendar_cn.load_supplement); bootstrap refuses to start on a bad one."""
    return load_supplement(path)


def build_calendar(data_dir: Path) -> tuple[ChineseWorkdayCalendar, str, ConfigurationError | None]:
    """The package calendar plus ``calendar.yaml`` if present.

    A broken file stops the node at start (bootstrap.build_context); one broken while the
    node runs is reported as a banner here rather than taking the console down.
    """
    path = data_dir / "calendar.yaml"
    if not path.is_file():
        return ChineseWorkdayCalendar(), "chinese_calendar", None
    try:
        supplement = load_calendar_supplement(path)
        calendar = ChineseWorkdayCalendar(supplement)
    except ConfigurationError as exc:
        return ChineseWorkdayCalendar(), "chinese_calendar", exc
    return calendar, f"chinese_calendar + {path.name} ({', '.join(map(str, sorted(supplement)))})", None


def workbench_deps(ctx: AppContext) -> WorkbenchDeps:
    """Built once per AppContext and kept in ``ctx.extras['workbench_deps']`` (tests may put their own there)."""
    deps = ctx.extras.get("workbench_deps")
    if isinstance(deps, WorkbenchDeps):
        return deps
    calendar, note, problem = build_calendar(ctx.settings.data_dir)
    # M-9.5 grace before new enrolments stop: a future Settings.assessment_grace_days, or extras, else 30 days.
    grace_days = ctx.extras.get("assessment_grace_days", getattr(ctx.settings, "assessment_grace_days", None))
    deps = WorkbenchDeps(
        store_for=lambda tx: TypedWorkbench(workbench_store(tx)),  # type: ignore[arg-type]
        calendar=calendar, renderer=AdapterRenderer(), hash_fn=ctx.store.hash_fn,
        public_base_url=ctx.settings.public_base_url,
        grace=timedelta(days=int(str(grace_days))) if grace_days is not None else DEFAULT_GRACE,
        calendar_note=note, calendar_error=problem,
    )
    ctx.extras["workbench_deps"] = deps
    return deps
