"""Keys: envelope encryption of templates, the stored subject data keys and the API keys."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from facegate.domain.access import ApiKey


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

    @property
    def algorithm(self) -> str: ...
    @property
    def current_kek_id(self) -> str: ...

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


class SubjectKeyRepository(Protocol):
    """``uow.subject_keys``: each person's wrapped data key; deleting it crypto-shreds their templates."""

    def get(self, subject_id: str) -> WrappedKey | None: ...
    def put(self, subject_id: str, key: WrappedKey) -> None: ...
    def delete(self, subject_id: str) -> None: ...
    def all(self) -> list[tuple[str, WrappedKey]]: ...


class ApiKeyRepository(Protocol):
    """``uow.api_keys``: API keys as stored (the secret only as a hash)."""

    def add(self, key: ApiKey) -> None: ...
    def update(self, key: ApiKey) -> None:
        """Writes expiry and revocation; nothing else of a key ever changes."""
        ...

    def get(self, key_id: str) -> ApiKey | None: ...
    def all(self) -> list[ApiKey]: ...
