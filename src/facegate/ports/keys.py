"""Keys: envelope encryption of templates (the data keys themselves are stored through ``uow.subject_keys``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class WrappedKey:
    """A data key encrypted under a key-encryption key. Safe to store and to print."""

    kek_id: str
    algorithm: str  # "AES-256-GCM" or "SM4-GCM"
    blob: bytes

    def __repr__(self) -> str:
        return f"WrappedKey(kek_id={self.kek_id!r}, algorithm={self.algorithm!r})"


class KeyProvider(Protocol):
    """Envelope encryption: services hold wrapped keys only, never plaintext ones."""

    algorithm: str
    current_kek_id: str

    def new_data_key(self) -> WrappedKey: ...

    def seal(self, key: WrappedKey, plaintext: bytes, aad: bytes) -> bytes: ...

    def open(self, key: WrappedKey, sealed: bytes, aad: bytes) -> bytes: ...

    def rewrap(self, key: WrappedKey) -> WrappedKey: ...

    def keyed_hash(self, value: str) -> str:
        """Pseudonymous reference for the processing record (HMAC under a record key)."""
        ...

    def forget(self, key: WrappedKey) -> None:
        """Drop any cached plaintext of this data key (crypto-shredding)."""
        ...
