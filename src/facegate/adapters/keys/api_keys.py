"""API key generation and secret hashing, compared in constant time (M-14.3, M-14.4)."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from facegate.domain.access import parse_api_key

__all__ = ["generate_api_key", "hash_secret", "parse_api_key", "secret_matches"]


def generate_api_key() -> tuple[str, str]:
    """Return ``(key_id, "fg_<key_id>_<secret>")``; the full token is shown once and never stored."""
    key_id = secrets.token_hex(8)  # 16 hex: the lookup handle, safe to log
    secret = secrets.token_urlsafe(32)  # 256 bits, 43 characters
    return key_id, f"fg_{key_id}_{secret}"


def hash_secret(secret: str) -> str:
    # The secret has 256 bits of entropy, so one SHA-256 suffices; a slow KDF would only cost latency.
    return hashlib.sha256(secret.encode()).hexdigest()


def secret_matches(secret: str, stored_hash: str) -> bool:
    # compare_digest: the time taken does not reveal how many leading characters matched.
    return hmac.compare_digest(hash_secret(secret), stored_hash)
