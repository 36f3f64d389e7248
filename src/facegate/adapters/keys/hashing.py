"""Hash functions for the processing-record chain: SHA-256 by default, SM3 selectable (M-9.3, M-14.1)."""

from __future__ import annotations

import hashlib

from cryptography.hazmat.primitives import hashes

from facegate.domain.audit import HashFn
from facegate.errors import ConfigurationError

ALGORITHMS = ("sha256", "sm3")


def _sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def _sm3(data: bytes) -> bytes:
    # GB/T 32905: the national-algorithm option regulators in China may expect.
    h = hashes.Hash(hashes.SM3())
    h.update(data)
    return h.finalize()


def hash_fn(algorithm: str) -> HashFn:
    """The chain's hash by name; both produce 32 bytes, so GENESIS and hex widths stay the same."""
    name = algorithm.strip().lower()
    if name == "sha256":
        return _sha256
    if name == "sm3":
        return _sm3
    raise ConfigurationError(
        "hash_algorithm_unknown",
        f"Unknown chain hash algorithm {algorithm!r}; choose one of {', '.join(ALGORITHMS)}.",
        f"未知的哈希算法 {algorithm!r}，可选：{'、'.join(ALGORITHMS)}。",
        article_id="M-9.3",
    )
