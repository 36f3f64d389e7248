"""Envelope encryption: both ciphers, AAD binding, rotation, and no key bytes in reprs."""

from __future__ import annotations

from pathlib import Path

import pytest

from facegate.adapters.keys.envelope import AES, SM4, EnvelopeKeyProvider, FileKeyring
from facegate.errors import InvalidInput


@pytest.mark.parametrize("algorithm", [AES, SM4])
def test_seal_open_and_aad_binding(tmp_path: Path, algorithm: str) -> None:
    ring = FileKeyring(tmp_path / "keys")
    ring.ensure()
    keys = EnvelopeKeyProvider(ring, algorithm)
    dek = keys.new_data_key()
    sealed = keys.seal(dek, b"template-bytes" * 10, b"dep|subj|purpose")
    assert b"template-bytes" not in sealed
    assert keys.open(dek, sealed, b"dep|subj|purpose") == b"template-bytes" * 10
    with pytest.raises(InvalidInput) as moved:
        keys.open(dek, sealed, b"other|subj|purpose")
    assert moved.value.code == "template_integrity"


def test_rotation_rewraps_and_old_ciphertext_stays_readable(tmp_path: Path) -> None:
    ring = FileKeyring(tmp_path / "keys")
    ring.ensure()
    keys = EnvelopeKeyProvider(ring)
    dek = keys.new_data_key()
    sealed = keys.seal(dek, b"x" * 512, b"aad")
    new_kek = ring.create_kek()
    rewrapped = keys.rewrap(dek)
    assert rewrapped.kek_id == new_kek != dek.kek_id
    fresh = EnvelopeKeyProvider(ring)  # no cache: both wrappings open with their own KEK
    assert fresh.open(dek, sealed, b"aad") == fresh.open(rewrapped, sealed, b"aad") == b"x" * 512


def test_reprs_hide_keys(tmp_path: Path) -> None:
    ring = FileKeyring(tmp_path / "keys")
    ring.ensure()
    keys = EnvelopeKeyProvider(ring)
    dek = keys.new_data_key()
    text = repr(keys) + repr(dek) + repr(ring)
    assert dek.blob.hex() not in text and repr(dek.blob) not in text
    assert ring.load(ring.current_id()).hex() not in text
    assert oct((tmp_path / "keys" / "record.key").stat().st_mode)[-3:] == "600"
