"""Ed25519 signing of chain checkpoints, with a private key file kept at mode 0600 (M-9.3, M-14.2)."""

from __future__ import annotations

import hashlib
import os
import stat
import tempfile
from collections.abc import Mapping
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from facegate.errors import ConfigurationError

KEY_FILE = "checkpoint-ed25519.pem"


def key_id_of(public_pem: str | bytes) -> str:
    """Short fingerprint of a public key: first 16 hex of SHA-256 over the raw 32 key bytes."""
    key = _load_public(public_pem)
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def _load_public(public_pem: str | bytes) -> Ed25519PublicKey:
    data = public_pem.encode() if isinstance(public_pem, str) else public_pem
    key = serialization.load_pem_public_key(data)
    if not isinstance(key, Ed25519PublicKey):
        raise ValueError("not an Ed25519 public key")
    return key


def verify_signature(public_pem: str | bytes, data: bytes, sig: bytes) -> bool:
    try:
        _load_public(public_pem).verify(sig, data)
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True


class CheckpointVerifier:
    """A ``SignatureCheck`` over the known public keys; keys are looked up by their own fingerprint."""

    def __init__(self, public_keys: Mapping[str, str] | list[str]) -> None:
        pems = list(public_keys.values()) if isinstance(public_keys, Mapping) else list(public_keys)
        # Recompute ids instead of trusting the given labels, so a key cannot pose as another.
        self._keys = {key_id_of(p): p for p in pems}

    def __call__(self, data: bytes, sig: bytes, key_id: str) -> bool:
        pem = self._keys.get(key_id)
        return pem is not None and verify_signature(pem, data, sig)

    def __repr__(self) -> str:
        return f"CheckpointVerifier(key_ids={sorted(self._keys)!r})"


class CheckpointSigner:
    """Loads the signing key from ``key_dir`` or creates it there on first use."""

    def __init__(self, key_dir: str | Path, filename: str = KEY_FILE) -> None:
        self._path = Path(key_dir) / filename
        self._key = self._load_or_create()
        self._public_pem = self._key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        ).decode()
        self.key_id = key_id_of(self._public_pem)

    def __repr__(self) -> str:  # never the key material, not even the path's contents
        return f"CheckpointSigner(key_id={self.key_id!r})"

    def sign(self, data: bytes) -> bytes:
        return self._key.sign(data)

    def public_key_pem(self) -> str:
        return self._public_pem

    def _load_or_create(self) -> Ed25519PrivateKey:
        if not self._path.exists():
            self._create()
        mode = stat.S_IMODE(self._path.stat().st_mode)
        if mode & 0o077:  # like ssh: a key others can read is no longer only ours (M-14.1)
            raise ConfigurationError(
                "key_file_permissions",
                f"Signing key file is readable by others (mode {mode:o}); chmod 600 it.",
                f"签名密钥文件权限过宽（{mode:o}），请设置为 600。",
                article_id="M-14.1",
            )
        key = serialization.load_pem_private_key(self._path.read_bytes(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise ConfigurationError("key_file_invalid", "Signing key file does not hold an Ed25519 key.")
        return key

    def _create(self) -> None:
        self._path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        pem = Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        # Write a 0600 temp file, then link it in: atomic, and the first of several starting nodes wins.
        fd, tmp = tempfile.mkstemp(dir=self._path.parent, prefix=".key-")
        try:
            with os.fdopen(fd, "wb") as f:
                os.fchmod(f.fileno(), 0o600)
                f.write(pem)
                f.flush()
                os.fsync(f.fileno())
            try:
                os.link(tmp, self._path)
            except FileExistsError:
                pass
        finally:
            os.unlink(tmp)
