"""What the console's pages show, gathered in one pass per page (deployments, findings, assessments)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date

from facegate.domain.model import Deployment
from facegate.domain.openset import OpenSetPlan
from facegate.errors import InvalidInput
from facegate.governance.rules.base import Finding
from facegate.services import openset
from facegate.services.context import ServiceContext
from facegate.services.workbench import assessment
from facegate.services.workbench.deps import WorkbenchDeps
from facegate.services.workbench.figures import DeploymentFigures, figures_in, lock_figures
from facegate.services.workbench.signs import is_sign_available


@dataclass(frozen=True)
class DeploymentRow:
    deployment: Deployment
    findings: tuple[Finding, ...]
    figures: DeploymentFigures
    state: assessment.AssessmentState
    has_manifest: bool
    has_sign: bool
    open_set: dict[str, OpenSetPlan] = field(default_factory=dict)  # purpose -> 1:N rule

    @property
    def by_article(self) -> dict[int, list[Finding]]:
        out: dict[int, list[Finding]] = {}
        for f in self.findings:
            out.setdefault(f.article, []).append(f)
        return dict(sorted(out.items()))

    def severity_counts(self) -> dict[str, int]:
        counts = {"blocking": 0, "warning": 0, "advice": 0}
        for f in self.findings:
            counts[f.severity.value] += 1
        return counts


def deployment_rows(ctx: ServiceContext, deps: WorkbenchDeps, today: date,
                    only: str | None = None) -> list[DeploymentRow]:
    """Every deployment (or ``only`` one) with live findings by article, figures and PIA state."""
    rows = []
    with ctx.store.transaction(readonly=True) as tx:
        wb = tx.workbench
        for d in tx.deployments.all():
            if only is not None and d.id != only:
                continue
            st = assessment.state_in(tx, wb, d, deps.grace)
            try:
                m = assessment.manifest_of(d)
            except InvalidInput:
                figures = figures_in(wb, d.id)
                rows.append(DeploymentRow(d, (), figures, st, False, False))
                continue
            plans = openset.plans_in(ctx, tx, d)
            live = assessment.live_facts(tx, wb, d, m, today, tuple(plans.items()))
            rows.append(DeploymentRow(d, live.findings, live.figures, st, True, is_sign_available(deps, d), plans))
    add = lock_figures(ctx)
    return [replace(r, figures=add(r.figures)) for r in rows]
