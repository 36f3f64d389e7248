"""The filing dossier zip (M-15.4) and the public-place signs with a working QR code (M-13.2, M-13.4)."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image

from facegate.bootstrap import AppContext
from facegate.errors import Forbidden, InvalidInput
from facegate.services.workbench import assessment, dossier, signs
from facegate.testing import FixedClock
from facegate.web.console.wiring import workbench_deps
from tests.browser.console_server import (
    HOTEL,
    HOTEL_PROCESSOR,
    METRO,
    apply,
    example,
    fixed_clock,
    store_people,
    workbench_ctx,
)

needs_poppler = pytest.mark.usefixtures("poppler")  # skips locally without poppler-utils, fails in CI


@pytest.fixture
def clock() -> FixedClock:
    return fixed_clock("2026-03-02")


@pytest.fixture
def ctx(tmp_path: Path, clock: FixedClock, database_url: str) -> Iterator[AppContext]:
    c = workbench_ctx(tmp_path, clock, "hotel-front-desk-check-in", "metro-station-signed", database_url=database_url)
    yield c
    c.close()


def test_dossier_zip_holds_every_required_part(ctx: AppContext, clock: FixedClock) -> None:
    deps = workbench_deps(ctx)
    store_people(ctx, HOTEL_PROCESSOR, HOTEL, 25, at=clock.now())
    rec = assessment.generate(ctx.services, deps, HOTEL)
    assessment.approve(ctx.services, deps, HOTEL, rec.version, signer=assessment.Signer("陈静", "admin"))
    heard: list[tuple[str, int, int | None]] = []
    body = dossier.build(ctx.services, deps, HOTEL_PROCESSOR, progress=lambda *step: heard.append(step))
    z = zipfile.ZipFile(io.BytesIO(body))
    names = set(z.namelist())
    # Progress (issue 14): a step per part and per PIA, counting up to a known total, then the zip.
    assert [done for _, done, _ in heard] == list(range(len(heard))) and {t for _, _, t in heard} == {len(heard)}
    assert any("04-processing-rules" in s for s, _, _ in heard) and any(HOTEL in s for s, _, _ in heard)
    parts = ("01-processor-basic-info", "02-purposes-and-methods", "03-stored-count-and-security",
             "04-processing-rules-and-procedures")
    for part in parts:  # the five statutory items of Art. 15 para 1 (M-15.4); the PIA is the fifth
        assert {f"{part}.pdf", f"{part}.json"} <= names
        assert z.read(f"{part}.pdf").startswith(b"%PDF")
    pia = f"05-impact-assessment/{HOTEL}-v1"
    assert {f"{pia}-zh.pdf", f"{pia}-en.pdf", f"{pia}.json", "dossier.json", "forms/README.txt", "index.json"} <= names
    data = json.loads(z.read("dossier.json"))
    assert data["processor"]["uscc"] == HOTEL_PROCESSOR and data["processor"]["name"] == "杭州西湖云栖酒店管理有限公司"
    assert data["stored_count"]["count"] == 25
    assert data["purposes_and_methods"][0]["method"]["mode"] == "1:1"
    assert data["security_measures"][HOTEL]["encryption"] is True
    assert data["processing_rules"][HOTEL]["zh"][0]["heading"] == "谁在处理您的人脸信息"
    assert {p["requirement_id"] for p in data["operating_procedures"]} >= {"M-5.1", "M-6.1", "M-9.3"}
    [pia_entry] = data["impact_assessments"]
    assert (pia_entry["deployment_id"], pia_entry["version"], pia_entry["status"], pia_entry["signed_on"]) == (
        HOTEL, 1, "approved", "2026-03-02")
    assert {f["code"] for f in data["forms"]} >= {"filing_form", "commitment_letter", "power_of_attorney"}
    index = json.loads(z.read("index.json"))
    for name, digest in index["files"].items():  # every part is listed with its hash
        assert hashlib.sha256(z.read(name)).hexdigest() == digest
    assert json.loads(z.read(f"{pia}.json"))["is_approved"] is True


def _decode_qr(png: bytes) -> list[str]:
    import zxingcpp

    image = Image.open(io.BytesIO(png)).convert("L")
    return [r.text for r in zxingcpp.read_barcodes(image)]


@needs_poppler
def test_metro_sign_renders_with_a_working_qr_code(ctx: AppContext) -> None:
    deps = workbench_deps(ctx)
    svg, media = signs.sign(ctx.services, deps, METRO, "svg", "A3")
    assert media == "image/svg+xml" and b'width="297mm"' in svg
    text = svg.decode()
    for part in ("您已进入人脸识别区域", "深圳市轨道交通运营有限公司", "维护公共安全", "security lanes A1-A4"):
        assert part in text
    pdf, media = signs.sign(ctx.services, deps, METRO, "pdf", "A4")
    assert media == "application/pdf" and pdf.startswith(b"%PDF")
    png, media = signs.sign(ctx.services, deps, METRO, "png", "A4")
    assert media == "image/png"
    assert _decode_qr(png) == [f"http://127.0.0.1:8000/notice/{METRO}"]  # {public_base_url}/notice/{id}
    assert "SAMPLE: no public address set" in text.replace("\n", " ")  # the default address: marked as not for posting


def test_signs_are_refused_for_private_spaces_and_non_public_venues(ctx: AppContext) -> None:
    deps = workbench_deps(ctx)
    apply(ctx, example("hotel-guest-room-camera"))
    room = example("hotel-guest-room-camera").id
    with pytest.raises(Forbidden) as banned:
        signs.sign(ctx.services, deps, room, "svg")
    assert (banned.value.code, banned.value.article_id) == ("sign_private_space", "M-13.4")
    with pytest.raises(InvalidInput) as private:
        signs.sign(ctx.services, deps, HOTEL, "svg")
    assert private.value.code == "sign_not_public_place"
    with pytest.raises(InvalidInput):
        signs.sign(ctx.services, deps, METRO, "gif")


def test_a_sign_for_a_real_address_leads_to_the_public_notice_and_is_no_sample(ctx: AppContext) -> None:
    """Issue 16 item 6: the QR code opens {public_base_url}/notice/{id}; only the default is marked a sample."""
    import dataclasses

    deps = dataclasses.replace(workbench_deps(ctx), public_base_url="https://face.example.cn/")
    svg, _ = signs.sign(ctx.services, deps, METRO, "svg", "A4")
    assert "SAMPLE" not in svg.decode() and "样张" not in svg.decode()
    with ctx.services.store.transaction(readonly=True) as tx:
        fields = signs.sign_fields(deps, tx.deployments.get(METRO))
    assert fields["notice_url"] == f"https://face.example.cn/notice/{METRO}" and fields["is_sample"] is False
