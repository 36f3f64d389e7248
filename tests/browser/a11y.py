"""axe-core (from npm, installed by `make test` into .cache/node) run inside a page: serious and critical only."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from tests import needs

ROOT = Path(__file__).resolve().parents[2]
AXE = Path(os.environ.get("FACEGATE_AXE_JS") or ROOT / ".cache" / "node" / "node_modules" / "axe-core" / "axe.min.js")
SEVERE = ("serious", "critical")

_RUN = """async () => {
  const r = await axe.run(document, {resultTypes: ["violations"]});
  return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                 nodes: v.nodes.slice(0, 5).map(n => n.target.join(" "))}));
}"""


def axe_source() -> Path:
    if not AXE.is_file():
        needs.unavailable(needs.BROWSER, f"axe-core is not installed at {AXE} (run `make axe`; .ci/run does)")
    return AXE


def severe_violations(page: Any) -> list[dict[str, Any]]:
    """Violations of impact serious or critical on the page as it is now (the context must bypass CSP)."""
    page.add_script_tag(path=str(axe_source()))
    found: list[dict[str, Any]] = page.evaluate(_RUN)
    return [v for v in found if v["impact"] in SEVERE]
