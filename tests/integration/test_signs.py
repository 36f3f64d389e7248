"""Public-place signs rendered for real: SVG, PDF (WeasyPrint) and PNG (pdftoppm) (M-13.x)."""

from __future__ import annotations

import dataclasses
import io
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET

import pytest
import zxingcpp
from PIL import Image

from facegate.adapters import reports, signs
from facegate.adapters.signs import SignSpec, render_sign_pdf, render_sign_png, render_sign_svg
from facegate.errors import ConfigurationError, Forbidden, InvalidInput

SPEC = SignSpec(
    deployment_id="lobby-gate-1",
    processor_name="示例科技有限公司 <Example & Co>",
    contact="privacy@example.cn / 010-1234 5678",
    purpose_zh="维护公共安全：识别进入大堂的人员。人脸信息仅用于公共安全目的。",
    purpose_en="Public security: identify people entering the lobby. Face data is used for public security only.",
    capture_area_zh="大堂东门入口闸机前2米范围",
    capture_area_en="Within 2 m in front of the east lobby entrance gates",
    notice_url="https://notice.example.cn/d/lobby-gate-1?v=3",
    venue_is_private_space=False,
    alternatives_zh="可向前台出示身份证通行。",
    alternatives_en="Show your ID card at the front desk instead.",
)
needs_poppler = pytest.mark.usefixtures("poppler")  # skips locally without poppler-utils, fails in CI


def test_svg_is_well_formed_bilingual_and_escaped() -> None:
    svg = render_sign_svg(SPEC)
    root = ET.fromstring(svg)
    assert (root.get("width"), root.get("height"), root.get("viewBox")) == ("210mm", "297mm", "0 0 210 297")
    text = "".join(root.itertext())
    for part in ("您已进入人脸识别区域", "face recognition area", "采集区域", "Capture area",
                 SPEC.capture_area_zh, SPEC.processor_name, SPEC.contact, "不愿刷脸"):
        assert part in text
    assert root.find("{http://www.w3.org/2000/svg}g/{http://www.w3.org/2000/svg}path") is not None  # the QR
    a3 = ET.fromstring(render_sign_svg(SPEC, "A3"))
    assert (a3.get("width"), a3.get("height"), a3.get("viewBox")) == ("297mm", "420mm", "0 0 210 297")


@pytest.mark.parametrize("render", [render_sign_svg, render_sign_pdf, render_sign_png])
def test_private_space_gets_no_sign(render: object) -> None:
    spec = dataclasses.replace(SPEC, venue_is_private_space=True)
    with pytest.raises(Forbidden) as caught:
        render(spec)  # type: ignore[operator]
    assert (caught.value.code, caught.value.article_id, caught.value.status) == ("sign_private_space", "M-13.4", 403)
    assert caught.value.message_zh and caught.value.message_en


def test_bad_input_is_refused() -> None:
    with pytest.raises(InvalidInput, match="notice_url_invalid"):
        render_sign_svg(dataclasses.replace(SPEC, notice_url="javascript:alert(1)"))
    with pytest.raises(InvalidInput, match="sign_field_missing"):
        render_sign_svg(dataclasses.replace(SPEC, purpose_en=" "))
    with pytest.raises(InvalidInput, match="sign_text_too_long"):
        render_sign_svg(dataclasses.replace(SPEC, purpose_zh="为维护公共安全" * 120))
    with pytest.raises(InvalidInput, match="sign_size_unsupported"):
        render_sign_svg(SPEC, "A5")  # type: ignore[arg-type]


@needs_poppler
@pytest.mark.parametrize("size", ["A4", "A3"])
def test_pdf_has_the_page_size_and_chinese_text(size: signs.Size) -> None:
    pdf = render_sign_pdf(SPEC, size)
    assert pdf.startswith(b"%PDF")
    info = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    assert f"pts ({size})" in info and re.search(r"^Pages:\s+1$", info, re.MULTILINE)
    text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    for part in ("您已进入人脸识别区域", "扫码查看完整告知", "示例科技有限公司", "Scan for the full notice"):
        assert part in text


@needs_poppler
@pytest.mark.parametrize(("size", "dpi"), [("A4", 150), ("A3", 72)])
def test_png_qr_code_decodes_to_the_notice_url(size: signs.Size, dpi: int) -> None:
    png = render_sign_png(SPEC, size, dpi=dpi)
    with Image.open(io.BytesIO(png)) as image:
        width_mm = signs.PAGE_MM[size][0]
        assert image.format == "PNG" and abs(image.width - width_mm / 25.4 * dpi) <= 2
        found = zxingcpp.read_barcodes(image)
    assert [b.text for b in found] == [SPEC.notice_url]


def test_missing_cjk_font_fails_loudly(monkeypatch: pytest.MonkeyPatch) -> None:
    reports.cjk_fonts.cache_clear()
    monkeypatch.setattr(shutil, "which", lambda name: None)
    try:
        with pytest.raises(ConfigurationError) as caught:
            render_sign_pdf(SPEC)
        assert caught.value.code == "cjk_font_missing"
    finally:
        reports.cjk_fonts.cache_clear()


def test_missing_pdftoppm_fails_loudly(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(ConfigurationError, match="pdftoppm_missing"):
        render_sign_png(SPEC)
