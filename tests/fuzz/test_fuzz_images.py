"""Fuzzing decode_rgb: any bytes give an RGB uint8 array or ImageRejected, never another exception (M-14.1)."""

from __future__ import annotations

import io
import warnings
from pathlib import Path

import pytest
from PIL import Image

from facegate.adapters.face.imaging import decode_rgb
from tests.fuzz.harness import fuzz_runs, run_fuzz
from tests.fuzz.properties import check_image
from tests.fuzz.seeds import image_seeds

# Inputs the fuzzer found. Each stays here as a regression; while one is unfixed it is
# listed in KNOWN too, so the fuzz run keeps looking for *new* failures.
FOUND = {
    # StripOffsets (tag 273) stored as DOUBLE: Pillow seeks to a float and raises TypeError,
    # which decode_rgb does not map, so the API answers 500 instead of 422 image_corrupt.
    "tiff-double-strip-offsets": bytes.fromhex(
        "49492a00080000000a0000010400010000001800000001010400010000001000"
        "0000000000000000000000000000000000000000000000000000000000000000"
        "00000000000011010c0001000000000000000000000000000000000000000000"
        "0000000000000000000000000000000000000000000000000000000000000000"
        "0000000000000000000000000000"
    ),
}
KNOWN: list[tuple[str, str]] = []  # fixed: decode_rgb turns any decoder exception into image_corrupt


def test_decode_rgb_rejects_or_decodes_any_bytes(tmp_path: Path) -> None:
    run_fuzz("images", check_image, image_seeds(), tmp_path, runs=fuzz_runs(5000), max_len=8192, known=KNOWN)


@pytest.mark.parametrize("name", sorted(FOUND))
def test_found_inputs_are_rejected_cleanly(name: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check_image(FOUND[name])


def test_every_seed_mode_normalises_to_rgb8() -> None:
    """The untruncated seeds are valid images of each mode decode_rgb promises to handle."""
    for name, data in image_seeds().items():
        if name.endswith((".truncated", ".header-only")):
            continue
        arr = decode_rgb(data)
        assert arr.shape in ((16, 24, 3), (24, 16, 3)), name
        assert arr.dtype.name == "uint8" and arr.flags.c_contiguous, name


def test_rgba_is_composited_on_white() -> None:
    img = Image.new("RGBA", (4, 4), (0, 0, 0, 0))
    buf = io.BytesIO()
    img.save(buf, "PNG")
    assert decode_rgb(buf.getvalue()).min() == 255


def test_truncated_tiff_warnings_do_not_escape() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for name, data in image_seeds().items():
            if ".tiff." in name:
                check_image(data)
