"""DocumentRenderer: the workbench's Renderer port over adapters.reports (Jinja2 + WeasyPrint) and adapters.signs."""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:  # Jinja2, WeasyPrint's helpers and the QR code load with the first document (issue 14)
    from jinja2 import Environment


@lru_cache(maxsize=1)
def _parts() -> Environment:
    from jinja2 import Environment, PackageLoader, select_autoescape

    # Read from the package's files without importing facegate.web (adapters stay below the web layer).
    return Environment(loader=PackageLoader("facegate", "web/templates/reports"),
                       autoescape=select_autoescape(["html"]))


class DocumentRenderer:
    """Assessments, filing-dossier parts and signs, to HTML, PDF, SVG or PNG."""

    def pia_html(self, document: dict[str, Any], lang: str) -> str:
        from facegate.adapters import reports

        return reports.render_pia_html(document, cast(reports.Lang, lang))

    def pdf(self, html: str) -> bytes:
        from facegate.adapters import reports

        return reports.html_to_pdf(html)

    def part_html(self, title_zh: str, title_en: str, sections: list[dict[str, Any]]) -> str:
        return _parts().get_template("dossier_part.html").render(title_zh=title_zh, title_en=title_en,
                                                                sections=sections)

    def sign(self, fields: dict[str, Any], size: str, fmt: str) -> bytes:
        from facegate.adapters import signs

        spec, paper = signs.SignSpec(**fields), cast(signs.Size, size)  # the service checked size and format
        if fmt == "svg":
            return signs.render_sign_svg(spec, paper).encode()
        if fmt == "pdf":
            return signs.render_sign_pdf(spec, paper)
        return signs.render_sign_png(spec, paper)
