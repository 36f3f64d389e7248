"""Envelope encryption: per-subject data keys wrapped by a key-encryption key (M-14.1).

AES-256-GCM by default, SM4-GCM selectable. Key-encryption keys live in files
of mode 0600 under ``<data_dir>/keys``; several may exist so that rotation can
re-wrap data keys while old ciphertext stays readable. Nothing here ever puts
key bytes into a repr, a log line or an exception.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import threading
from collections import OrderedDict
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from facegate.errors import ConfigurationError, InvalidInput
from facegate.ports import WrappedKey

AES = "AES-256-GCM"
SM4 = "SM4-GCM"
NONCE = 12
TAG = 16
_CACHE_SIZE = 4096


class _Aead:
    """One AEAD primitive, AES-256-GCM or SM4-GCM, with a 12-byte nonce prefix."""

    def __init__(self, algorithm: str, key: bytes) -> None:
        self.algorithm = algorithm
        self._key = key
        self._aes = AESGCM(key) if algorithm == AES else None

    def __repr__(self) -> str:
        return f"_Aead({self.algorithm}, key=***)"

    def encrypt(self, plaintext: bytes, aad: bytes) -> bytes:
        nonce = os.urandom(NONCE)
        if self._aes is not None:
            return nonce + self._aes.encrypt(nonce, plaintext, aad)
        enc = Cipher(algorithms.SM4(self._key), modes.GCM(nonce)).encryptor()
        enc.authenticate_additional_data(aad)
        return nonce + enc.update(plaintext) + enc.finalize() + enc.tag

    def decrypt(self, sealed: bytes, aad: bytes) -> bytes:
        nonce, body = sealed[:NONCE], sealed[NONCE:]
        if self._aes is not None:
            return self._aes.decrypt(nonce, body, aad)
        dec = Cipher(algorithms.SM4(self._key), modes.GCM(nonce, body[-TAG:])).decryptor()
        dec.authenticate_additional_data(aad)
        return dec.update(body[:-TAG]) + dec.finalize()


def _derive(material: bytes, algorithm: str) -> bytes:
    """AES-256 uses the 32-byte KEK as is; SM4 takes a 16-byte key derived from it."""
    if algorithm == AES:
        return material
    return HKDF(hashes.SHA256(), 16, salt=None, info=b"facegate/sm4-kek").derive(material)


class FileKeyring:
    """Key-encryption keys and the record (pseudonymisation) key, as 0600 files."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def __repr__(self) -> str:
        return f"FileKeyring({str(self.directory)!r})"

    def ensure(self) -> None:
        """Create the directory, a first KEK and the record key if missing."""
        self.directory.mkdir(parents=True, exist_ok=True)
        os.chmod(self.directory, 0o700)
        if not (self.directory / "current").exists():
            self.create_kek()
        if not (self.directory / "record.key").exists():
            self._write(self.directory / "record.key", secrets.token_bytes(32))

    def create_kek(self) -> str:
        """Write a new key-encryption key and make it current; return its id."""
        kek_id = "kek-" + secrets.token_hex(4)
        self._write(self.directory / f"{kek_id}.key", secrets.token_bytes(32))
        tmp = self.directory / "current.tmp"
        tmp.write_text(kek_id)
        os.replace(tmp, self.directory / "current")
        return kek_id

    def current_id(self) -> str:
        try:
            return (self.directory / "current").read_text().strip()
        except FileNotFoundError as exc:
            raise ConfigurationError("kek_missing", "No key-encryption key is configured.") from exc

    def load(self, kek_id: str) -> bytes:
        if not kek_id.startswith("kek-") or "/" in kek_id:
            raise ConfigurationError("kek_unknown", "Unknown key-encryption key id.")
        path = self.directory / f"{kek_id}.key"
        if not path.exists():
            raise ConfigurationError("kek_unknown", f"Key-encryption key {kek_id} is not available.")
        return path.read_bytes()

    def record_key(self) -> bytes:
        return (self.directory / "record.key").read_bytes()

    def kek_ids(self) -> list[str]:
        return sorted(p.stem for p in self.directory.glob("kek-*.key"))

    @staticmethod
    def _write(path: Path, data: bytes) -> None:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)


class EnvelopeKeyProvider:
    """The KeyProvider port on a FileKeyring; caches unwrapped data keys in memory only."""

    def __init__(self, keyring: FileKeyring, algorithm: str = AES) -> None:
        if algorithm not in (AES, SM4):
            raise ConfigurationError("cipher_unknown", f"Unknown cipher {algorithm!r}; use {AES} or {SM4}.")
        self.algorithm = algorithm
        self._keyring = keyring
        self._keks: dict[str, _Aead] = {}
        self._cache: OrderedDict[bytes, _Aead] = OrderedDict()
        self._lock = threading.Lock()
        self._record_key = keyring.record_key()

    def __repr__(self) -> str:
        return f"EnvelopeKeyProvider(algorithm={self.algorithm!r}, kek_id={self.current_kek_id!r})"

    @property
    def current_kek_id(self) -> str:
        return self._keyring.current_id()

    def _kek(self, kek_id: str, algorithm: str) -> _Aead:
        name = f"{kek_id}/{algorithm}"
        if name not in self._keks:
            self._keks[name] = _Aead(algorithm, _derive(self._keyring.load(kek_id), algorithm))
        return self._keks[name]

    def new_data_key(self) -> WrappedKey:
        size = 32 if self.algorithm == AES else 16
        kek_id = self.current_kek_id
        blob = self._kek(kek_id, self.algorithm).encrypt(secrets.token_bytes(size), kek_id.encode())
        return WrappedKey(kek_id, self.algorithm, blob)

    def _data_key(self, key: WrappedKey) -> _Aead:
        with self._lock:
            cached = self._cache.get(key.blob)
            if cached is not None:
                self._cache.move_to_end(key.blob)
                return cached
        try:
            raw = self._kek(key.kek_id, key.algorithm).decrypt(key.blob, key.kek_id.encode())
        except InvalidTag as exc:
            raise InvalidInput("key_unwrap_failed", "A data key failed its integrity check.") from exc
        aead = _Aead(key.algorithm, raw)
        with self._lock:
            self._cache[key.blob] = aead
            if len(self._cache) > _CACHE_SIZE:
                self._cache.popitem(last=False)
        return aead

    def seal(self, key: WrappedKey, plaintext: bytes, aad: bytes) -> bytes:
        return self._data_key(key).encrypt(plaintext, aad)

    def open(self, key: WrappedKey, sealed: bytes, aad: bytes) -> bytes:
        try:
            return self._data_key(key).decrypt(sealed, aad)
        except InvalidTag as exc:
            raise InvalidInput("template_integrity", "A sealed template failed its integrity check.") from exc

    def rewrap(self, key: WrappedKey) -> WrappedKey:
        """Re-encrypt a data key under the current KEK (M-14.1 key rotation)."""
        raw = self._kek(key.kek_id, key.algorithm).decrypt(key.blob, key.kek_id.encode())
        kek_id = self.current_kek_id
        return WrappedKey(kek_id, key.algorithm, self._kek(kek_id, key.algorithm).encrypt(raw, kek_id.encode()))

    def keyed_hash(self, value: str) -> str:
        # hmac.digest: the one-shot C path, a third of hmac.new's cost; called three times per verify (issue 14).
        return hmac.digest(self._record_key, value.encode(), "sha256").hex()[:32]

    def forget(self, key: WrappedKey) -> None:
        with self._lock:
            self._cache.pop(key.blob, None)
