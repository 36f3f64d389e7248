"""Render governance papers (the impact assessment) to HTML and PDF with Jinja2 and WeasyPrint."""

from __future__ import annotations

import shutil
import subprocess
from functools import lru_cache
from typing import Any, Literal

import jinja2

from facegate.errors import ConfigurationError, InvalidInput

Lang = Literal["zh", "en"]

# Top-level keys of facegate.domain.pia.pia_document(); each M-9.2 section is
# mandatory, so a dict missing one is refused before anything is rendered.
PIA_KEYS = (
    "deployment_id", "processor_name", "version", "prepared_on", "approved_on",
    "purpose_and_method", "legal_basis", "necessity", "alternatives_considered",  # (a), M-4.2
    "rights_impact", "mitigation_effectiveness",  # (b)
    "threats",  # (c)
    "measures", "measures_proportionality",  # (d)
    "facts", "risk", "reviewer", "is_approved",
)


@lru_cache(maxsize=1)
def _env() -> jinja2.Environment:
    # PackageLoader reads files under the installed facegate package; it does
    # not import facegate.web, so the adapters stay below the web layer.
    return jinja2.Environment(
        loader=jinja2.PackageLoader("facegate", "web/templates/reports"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render_pia_html(data: dict[str, Any], lang: Lang) -> str:
    """The impact assessment as one self-contained HTML page in ``lang``.

    ``data`` has the shape of ``facegate.domain.pia.pia_document()``; texts
    shown to people are ``{"zh": ..., "en": ...}`` pairs.
    """
    if lang not in ("zh", "en"):
        raise InvalidInput("language_unsupported", f"Unsupported language {lang!r}; use 'zh' or 'en'.",
                           f"不支持的语言 {lang!r}，请使用 zh 或 en。")
    missing = [key for key in PIA_KEYS if key not in data]
    if missing:
        raise InvalidInput("pia_section_missing", f"The impact assessment lacks: {', '.join(missing)}.",
                           f"影响评估数据缺少：{', '.join(missing)}。", article_id="M-9.2",
                           detail={"missing": missing})
    try:
        return _env().get_template("pia.html").render(data=data, lang=lang)
    except jinja2.UndefinedError as exc:
        raise InvalidInput("pia_data_invalid", f"The impact assessment data is incomplete: {exc.message}.",
                           "影响评估数据不完整。", article_id="M-9.2") from exc


@lru_cache(maxsize=1)
def cjk_fonts() -> tuple[str, ...]:
    """Font families that cover Chinese, as fontconfig sees them.

    WeasyPrint draws a missing glyph as an empty box without complaint, so a
    sign or report without a CJK font would look fine to a test and be
    unreadable on paper; we refuse instead.
    """
    fc_list = shutil.which("fc-list")
    families: set[str] = set()
    if fc_list:
        out = subprocess.run([fc_list, ":lang=zh", "family"], capture_output=True, text=True,
                             timeout=30, check=False).stdout
        families = {name.strip() for line in out.splitlines() for name in line.split(",") if name.strip()}
    if not families:
        raise ConfigurationError(
            "cjk_font_missing",
            "No font with Chinese glyphs is installed (fontconfig finds none for :lang=zh); "
            "install one, e.g. apt-get install fonts-noto-cjk.",
            "未安装中文字体（fontconfig 找不到 :lang=zh 字体），请安装，例如 apt-get install fonts-noto-cjk。",
        )
    return tuple(sorted(families))


def html_to_pdf(html: str, *, base_url: str | None = None) -> bytes:
    """Render HTML to PDF with WeasyPrint, refusing if Chinese cannot be typeset."""
    cjk_fonts()
    import weasyprint  # heavy import (Pango, fontTools); only when a PDF is wanted

    return bytes(weasyprint.HTML(string=html, base_url=base_url).write_pdf())
