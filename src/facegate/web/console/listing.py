"""What a console list shows: one processor or all, demo deployments or real ones, which page (issue 16 item 9).

Only the deployments the signed-in key covers are ever listed (M-14.3). Query parameters: ``processor`` (an id from the catalog; anything else means all),
``demo=1`` (the demo deployments `make run` loads, kept out of the real lists), ``page``.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from fastapi import Request

from facegate.domain.access import Principal
from facegate.services.workbench.catalog import Catalog, catalog
from facegate.web.deps import app_ctx

FILING_PAGE_SIZE = 2  # processors per filing page: each one is a chart and three tables
ROWS_PAGE_SIZE = 25  # deployments or assessment versions per page


@dataclass(frozen=True)
class Scope:
    cat: Catalog
    processor: str | None
    demo: bool
    page: int

    def shows(self, deployment_id: str) -> bool:
        return self.cat.shows(deployment_id, processor=self.processor, demo=self.demo)

    def processor_ids(self) -> list[str]:
        """Processors whose processor-wide figures (filing, M-15.1) this viewer may see whole."""
        return [p for p in self.cat.processor_ids(demo=self.demo)
                if self.processor in (None, p) and p not in self.cat.partial]

    def query(self, **changes: object) -> str:
        """This scope's query string with ``changes`` (e.g. page=2), for links."""
        values: dict[str, object] = {"processor": self.processor or "", "demo": "1" if self.demo else "",
                                     "page": self.page}
        values.update(changes)
        if values["page"] == 1:
            values["page"] = ""
        return "&".join(f"{k}={quote(str(v))}" for k, v in values.items() if v)


def scope_of(request: Request, principal: Principal) -> Scope:
    """The lists' filters, within the deployments ``principal``'s key covers (M-14.3)."""
    cat = catalog(app_ctx(request).services).within(principal.covers)
    q = request.query_params
    processor = q.get("processor") or None
    page = q.get("page") or "1"
    return Scope(cat, processor if processor in cat.processors else None, q.get("demo") == "1",
                 int(page) if page.isdigit() and len(page) < 6 else 1)
