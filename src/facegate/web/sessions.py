"""Signed browser sessions bound to an API key: ``key_id.expires.mac``, never the key itself.

Kiosk pairing and console sign-in both use them; every request re-checks that
the key still exists, is not revoked and has not expired (M-14.3, M-14.4).
"""

from __future__ import annotations

import hmac
from datetime import timedelta

from facegate.domain.access import ApiKey
from facegate.services.context import ServiceContext


def _mac(ctx: ServiceContext, purpose: str, key_id: str, expires: int) -> str:
    return ctx.keys.keyed_hash(f"session|{purpose}|{key_id}|{expires}")


def sign(ctx: ServiceContext, purpose: str, key_id: str, lifetime: timedelta) -> str:
    """The cookie value for ``key_id``, valid for ``lifetime`` and only for ``purpose``."""
    expires = int((ctx.clock.now() + lifetime).timestamp())
    return f"{key_id}.{expires}.{_mac(ctx, purpose, key_id, expires)}"


def verified_key(ctx: ServiceContext, purpose: str, raw: str) -> ApiKey | None:
    """The active key behind a cookie value, or None if forged, expired or revoked."""
    parts = raw.split(".")
    if len(parts) != 3 or not parts[1].isdigit():
        return None
    key_id, expires, mac = parts[0], int(parts[1]), parts[2]
    if not hmac.compare_digest(mac, _mac(ctx, purpose, key_id, expires)) or ctx.clock.now().timestamp() >= expires:
        return None
    with ctx.store.transaction(readonly=True) as tx:
        key = tx.api_keys.get(key_id)
    return key if key is not None and key.is_active(ctx.clock.now()) else None
