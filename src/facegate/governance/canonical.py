"""Canonical JSON and content hashes, so equal content always hashes equally."""

from __future__ import annotations

import hashlib
import json


def canonical_json(obj: object) -> bytes:
    """UTF-8 JSON with sorted keys and no whitespace."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def content_hash(obj: object) -> str:
    return hashlib.sha256(canonical_json(obj)).hexdigest()
