"""The impact assessment rendered for real: HTML (Jinja2) and PDF (WeasyPrint) (M-9.2, M-9.6)."""

from __future__ import annotations

import subprocess
from datetime import date

import pytest

from facegate.adapters.reports import html_to_pdf, render_pia_html
from facegate.domain.model import Mode, StorageLocality
from facegate.domain.pia import THREATS, Measure, PiaData, Reviewer, RiskFacts, Text, ThreatAssessment, pia_document
from facegate.errors import InvalidInput

needs_poppler = pytest.mark.usefixtures("poppler")  # skips locally without poppler-utils, fails in CI


def _pia(approved: bool = True) -> PiaData:
    harm = Text("人脸信息一旦泄露无法更改，可能导致身份冒用。", "Leaked face data cannot be changed and may enable impersonation.")
    fix = Text("模板加密存储于设备端，不上传。", "Templates are sealed on the device and never uploaded.")
    return PiaData(
        deployment_id="office-door", processor_name="示例科技有限公司", version="2.1",
        prepared_on=date(2025, 9, 1),
        purpose_and_method=Text("员工进入办公区时进行1:1人脸验证。", "1:1 face verification of staff at the office door."),
        legal_basis=Text("员工单独同意（个人信息保护法第二十九条）。", "Separate consent of each employee (PIPL Art. 29)."),
        necessity=Text("门禁卡常被借用；仅验证本人，不做辨识。", "Key cards are often lent; verification only, no identification."),
        alternatives_considered=Text("门禁卡，前台登记。", "Key card; front-desk sign-in."),
        rights_impact=Text("影响有限，员工可随时改用门禁卡。", "Limited; staff may switch to a key card at any time."),
        mitigation_effectiveness=Text("替代方式使用率30%，说明替代方式可用。", "30% use the alternative, so it is usable."),
        threats=tuple(ThreatAssessment(k, "low", harm, fix) for k in THREATS),
        measures=(Measure(Text("AES-256-GCM加密", "AES-256-GCM encryption"), True,
                          Text("合法、有效，与风险相适应。", "Lawful, effective, proportionate.")),),
        measures_proportionality=Text("措施与低风险相适应。", "The measures fit the low risk."),
        facts=RiskFacts(Mode.VERIFY, StorageLocality.ON_DEVICE, 800, alternative_share=0.3),
        reviewer=Reviewer("王芳", Text("合规负责人", "Head of compliance"), date(2025, 9, 5) if approved else None),
        approved_on=date(2025, 9, 5) if approved else None,
    )


def test_html_has_every_m92_section_in_both_languages() -> None:
    doc = pia_document(_pia())
    zh, en = render_pia_html(doc, "zh"), render_pia_html(doc, "en")
    for part in ("处理目的和处理方式的合法性、正当性、必要性", "对个人权益的影响", "泄露、篡改、丢失、毁损",
                 "保护措施是否合法、有效并与风险程度相适应", "风险评分及理由", "审核签署", "王芳", "2.1", "已批准"):
        assert part in zh
    for part in ("Legality, legitimacy and necessity", "Impact on individuals", "leakage, tampering, loss",
                 "lawful, effective and proportionate", "Risk score and reasoning", "Review and sign-off",
                 "Head of compliance", "APPROVED", "1:1 verification"):
        assert part in en
    assert '<html lang="zh-CN">' in zh and '<html lang="en">' in en


def test_unapproved_pia_is_marked_draft() -> None:
    assert "DRAFT" in render_pia_html(pia_document(_pia(approved=False)), "en")


def test_text_is_escaped() -> None:
    doc = pia_document(_pia())
    doc["processor_name"] = "<script>x</script>"
    assert "<script>x" not in render_pia_html(doc, "en")


def test_missing_sections_and_bad_language_are_refused() -> None:
    doc = pia_document(_pia())
    with pytest.raises(InvalidInput, match="language_unsupported"):
        render_pia_html(doc, "fr")  # type: ignore[arg-type]
    del doc["rights_impact"]
    with pytest.raises(InvalidInput) as caught:
        render_pia_html(doc, "zh")
    assert caught.value.code == "pia_section_missing" and caught.value.detail["missing"] == ["rights_impact"]
    doc = pia_document(_pia())
    del doc["reviewer"]["role"]
    with pytest.raises(InvalidInput, match="pia_data_invalid"):
        render_pia_html(doc, "en")


@needs_poppler
def test_pdf_carries_the_chinese_text() -> None:
    pdf = html_to_pdf(render_pia_html(pia_document(_pia()), "zh"))
    assert pdf.startswith(b"%PDF")
    text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    compact = "".join(text.split())  # pdftotext breaks long headings across lines
    for part in ("个人信息保护影响评估报告", "示例科技有限公司", "泄露", "被非法出售", "风险评分及理由", "王芳"):
        assert part in compact


@needs_poppler
def test_english_pdf() -> None:
    pdf = html_to_pdf(render_pia_html(pia_document(_pia()), "en"))
    text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    assert "Risk score and reasoning" in text and "示例科技有限公司" in text
