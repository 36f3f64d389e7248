"""API keys: create, authenticate, list, revoke and rotate; every key action is recorded (M-14.3, M-14.4)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from facegate.domain.access import (
    DEFAULT_KEY_TTL,
    ApiKey,
    Principal,
    check_key_usable,
    new_api_key,
    parse_api_key,
    revoke,
    rotate,
)
from facegate.domain.audit import AuditEvent
from facegate.errors import ConfigurationError, NotFound, Unauthorized
from facegate.ports import UnitOfWork
from facegate.services.context import SecretCodec, ServiceContext


@dataclass(frozen=True)
class CreatedKey:
    key: ApiKey
    token: str  # shown once; only its hash is stored

    def __repr__(self) -> str:
        return f"CreatedKey(key={self.key!r})"


def _codec(ctx: ServiceContext) -> SecretCodec:
    if ctx.secrets is None:
        raise ConfigurationError("secrets_unconfigured", "No API-key codec is configured.")
    return ctx.secrets


def _record(ctx: ServiceContext, kind: str, key: ApiKey, actor: str, **detail: object) -> AuditEvent:
    return AuditEvent(kind=kind, at=ctx.clock.now(), actor=actor, allowed=True,
                      detail={"key_id": key.key_id, "role": key.role.value, "scopes": sorted(key.scopes), **detail})


def create_api_key(ctx: ServiceContext, name: str, role: str, scopes: tuple[str, ...] | list[str],
                   *, ttl_days: int | None = None, actor: str = "cli") -> CreatedKey:
    key_id, token = _codec(ctx).generate()
    secret = parse_api_key(token)[1]
    ttl = timedelta(days=ttl_days) if ttl_days else DEFAULT_KEY_TTL
    key = new_api_key(key_id, name, role, tuple(scopes), ctx.clock.now(), ttl=ttl, secret_hash=_codec(ctx).hash(secret))
    with ctx.store.transaction() as tx:
        tx.api_keys.add(key)
        tx.record.append(_record(ctx, "key_created", key, actor, expires_at=key.expires_at.isoformat()))
    return CreatedKey(key, token)


def authenticate(ctx: ServiceContext, token: str) -> tuple[Principal, ApiKey]:
    """Check a presented token; raises Unauthorized with a stable code."""
    key_id, secret = parse_api_key(token)
    key = ctx.key_cache.get(key_id)
    if key is None:
        generation = ctx.key_cache.generation()
        with ctx.store.transaction(readonly=True) as tx:
            key = tx.api_keys.get(key_id)
        if key is not None:
            ctx.key_cache.put(key, generation)
    # Unknown id and wrong secret answer alike, so ids cannot be probed.
    if key is None or not _codec(ctx).matches(secret, key.secret_hash):
        raise Unauthorized("key_invalid", "The API key is not valid.", "API 密钥无效。", article_id="M-14.3",
                           detail={"key_id": key_id})
    return check_key_usable(key, ctx.clock.now()), key


def list_api_keys(ctx: ServiceContext) -> list[ApiKey]:
    with ctx.store.transaction(readonly=True) as tx:
        return tx.api_keys.all()


def _load(ctx: ServiceContext, tx: UnitOfWork, key_id: str) -> ApiKey:
    key = tx.api_keys.get(key_id)
    if key is None:
        raise NotFound("key_unknown", f"No API key {key_id!r}.", f"不存在 API 密钥 {key_id!r}。")
    return key


def revoke_api_key(ctx: ServiceContext, key_id: str, *, actor: str = "cli") -> ApiKey:
    with ctx.store.transaction() as tx:
        key = revoke(_load(ctx, tx, key_id), ctx.clock.now())
        tx.api_keys.update(key)
        tx.record.append(_record(ctx, "key_revoked", key, actor))
    ctx.key_cache.drop(key_id)  # after the commit: the next request on any thread reads the revoked row
    return key


def rotate_api_key(ctx: ServiceContext, key_id: str, *, actor: str = "cli") -> CreatedKey:
    """A new key with the same role and scope; the old one ends after a short grace period."""
    new_id, token = _codec(ctx).generate()
    secret = parse_api_key(token)[1]
    with ctx.store.transaction() as tx:
        old, new = rotate(_load(ctx, tx, key_id), new_id, ctx.clock.now(), secret_hash=_codec(ctx).hash(secret))
        tx.api_keys.update(old)
        tx.api_keys.add(new)
        tx.record.append(_record(ctx, "key_rotated", new, actor, rotated_from=old.key_id,
                                old_expires_at=old.expires_at.isoformat()))
    ctx.key_cache.drop(key_id)
    return CreatedKey(new, token)


def has_admin_key(ctx: ServiceContext) -> bool:
    now = ctx.clock.now()
    return any(k.role.value == "admin" and k.is_active(now) for k in list_api_keys(ctx))
