"""Fuzzing load_manifest: any text gives a Manifest or ManifestInvalid (with path and message), never another exception."""

from __future__ import annotations

from pathlib import Path

import pytest

from facegate.errors import ManifestInvalid
from facegate.governance.loader import load_manifest
from tests.fuzz.harness import fuzz_runs, run_fuzz
from tests.fuzz.properties import check_manifest
from tests.fuzz.seeds import manifest_seeds

# The YAML loader is pure Python and parses each input three times, so an execution costs
# ~15 ms: a few hundred runs keep `make test` quick; `make fuzz` runs many more.
DEFAULT_RUNS = 200


def test_load_manifest_accepts_or_rejects_any_text(tmp_path: Path) -> None:
    seeds = {name: text.encode() for name, text in manifest_seeds().items()}
    run_fuzz("manifest", check_manifest, seeds, tmp_path, runs=fuzz_runs(DEFAULT_RUNS), max_len=32 * 1024)


def test_the_seeds_load_as_their_header_says() -> None:
    """Seeds are meaningful: the valid examples parse, the one marked ``# expect: invalid`` does not."""
    seeds = manifest_seeds()
    assert len(seeds) >= 10
    for name, text in seeds.items():
        if "# expect: invalid" in text:
            with pytest.raises(ManifestInvalid):
                load_manifest(text, name)
        else:
            assert load_manifest(text, name).model_dump(), name
