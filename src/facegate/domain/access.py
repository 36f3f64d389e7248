"""Roles, permissions, deployment scopes and time-bound API keys (M-14.3, M-14.4)."""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from facegate.errors import Forbidden, InvalidInput, Unauthorized

ALL = "*"  # scope covering every deployment
DEFAULT_KEY_TTL = timedelta(days=90)  # M-14.4: grants are time-bound; quarterly recertification
MAX_KEY_TTL = timedelta(days=366)
ROTATION_GRACE = timedelta(hours=24)  # old key keeps working this long so devices can be updated

_TOKEN = re.compile(r"fg_([0-9a-f]{16})_([A-Za-z0-9_-]{32,128})")


class Role(str, enum.Enum):
    ADMIN = "admin"
    OPERATOR = "operator"
    AUDITOR = "auditor"
    DEVICE = "device"


class Permission(str, enum.Enum):
    ENROLL = "enroll"
    VERIFY = "verify"
    IDENTIFY = "identify"
    DELETE_SUBJECT = "delete_subject"
    CONSENT_WRITE = "consent_write"
    ALTERNATIVE = "alternative"
    DEPLOYMENT_WRITE = "deployment_write"
    READ_RECORDS = "read_records"
    READ_REPORTS = "read_reports"
    AUDIT_VERIFY = "audit_verify"
    AUDIT_EXPORT = "audit_export"
    KEY_MANAGE = "key_manage"
    SECURITY_READ = "security_read"
    # Erasing a person in every deployment of the processor at once: admins only, with scope '*'
    # (issue 11 item 4); a scoped key deletes within its own deployments (M-14.3).
    ERASE_EVERYWHERE = "erase_everywhere"
    # Vouching that the person at a kiosk owns an existing reference (staff, or the integrator's
    # booking): never a device's own permission, since the kiosk is where the stranger stands.
    SUBJECT_CLAIM = "subject_claim"
    # Lifting a subject's lock after failed face matches, with a recorded reason (issue 11 item 9, M-14.5).
    LOCK_LIFT = "lock_lift"


P = Permission
FACE_PERMISSIONS = frozenset({P.ENROLL, P.VERIFY, P.IDENTIFY, P.DELETE_SUBJECT})

# Least privilege (M-14.3). There is no "view raw face image" permission at all:
# raw images are never stored, so nobody can be granted them.
ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.ADMIN: frozenset(Permission),
    Role.OPERATOR: frozenset({
        P.ENROLL, P.VERIFY, P.IDENTIFY, P.DELETE_SUBJECT, P.CONSENT_WRITE, P.ALTERNATIVE, P.READ_REPORTS,
        P.SUBJECT_CLAIM, P.LOCK_LIFT,
    }),
    # Auditors check the record and the reports but never touch faces.
    Role.AUDITOR: frozenset({P.READ_RECORDS, P.READ_REPORTS, P.AUDIT_VERIFY, P.AUDIT_EXPORT, P.SECURITY_READ}),
    # A door or kiosk: face operations plus the consent and non-face paths a kiosk offers (M-6.1, M-10.1).
    Role.DEVICE: frozenset({P.ENROLL, P.VERIFY, P.IDENTIFY, P.CONSENT_WRITE, P.ALTERNATIVE}),
}


@dataclass(frozen=True)
class Principal:
    """Who is calling, once the key has been checked."""

    key_id: str
    role: Role
    scopes: frozenset[str]

    def covers(self, deployment_id: str | None) -> bool:
        # None means "across all deployments", which only an unscoped key may do.
        return ALL in self.scopes or (deployment_id is not None and deployment_id in self.scopes)


@dataclass(frozen=True)
class ApiKey:
    """A key's lifecycle; the secret itself is never kept, only its hash."""

    key_id: str
    name: str
    role: Role
    scopes: frozenset[str]
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None = None
    rotated_from: str | None = None
    secret_hash: str = ""

    def __repr__(self) -> str:
        return f"ApiKey(key_id={self.key_id!r}, name={self.name!r}, role={self.role.value!r})"

    def is_active(self, now: datetime) -> bool:
        return self.revoked_at is None and now < self.expires_at

    def principal(self) -> Principal:
        return Principal(self.key_id, self.role, self.scopes)


def authorize(principal: Principal, permission: Permission | str, deployment_id: str | None = None) -> None:
    """Raise ``Forbidden`` unless the role grants ``permission`` within the key's scope (M-14.3)."""
    perm = Permission(permission)
    if perm not in ROLE_PERMISSIONS[principal.role]:
        raise Forbidden(
            "forbidden_role",
            f"The {principal.role.value} role may not {perm.value}.",
            f"角色 {principal.role.value} 无权执行 {perm.value}。",
            article_id="M-14.3",
            detail={"permission": perm.value, "role": principal.role.value},
        )
    if not principal.covers(deployment_id):
        raise Forbidden(
            "forbidden_scope",
            "This key is not scoped to that deployment.",
            "该密钥的授权范围不包括此部署。",
            article_id="M-14.3",
            detail={"permission": perm.value, "deployment_id": deployment_id},
        )


def parse_api_key(token: str) -> tuple[str, str]:
    """Split ``fg_<key_id>_<secret>``; anything else is refused before any lookup."""
    m = _TOKEN.fullmatch(token.strip()) if isinstance(token, str) else None
    if m is None:
        raise Unauthorized("key_malformed", "The API key is malformed.", "API 密钥格式错误。", article_id="M-14.3")
    return m.group(1), m.group(2)


def check_key_usable(key: ApiKey, now: datetime) -> Principal:
    """Revocation takes effect at once and expiry is enforced on every request (M-14.4)."""
    if key.revoked_at is not None and key.revoked_at <= now:
        raise Unauthorized("key_revoked", "This API key has been revoked.", "该 API 密钥已被吊销。", article_id="M-14.4")
    if now >= key.expires_at:
        raise Unauthorized("key_expired", "This API key has expired.", "该 API 密钥已过期。", article_id="M-14.4")
    return key.principal()


def new_api_key(
    key_id: str, name: str, role: Role | str, scopes: frozenset[str] | set[str] | tuple[str, ...],
    now: datetime, *, ttl: timedelta = DEFAULT_KEY_TTL, secret_hash: str = "", rotated_from: str | None = None,
) -> ApiKey:
    """A new grant: always expiring, never longer than ``MAX_KEY_TTL`` (M-14.4)."""
    role = Role(role)
    scope_set = frozenset(scopes)
    if not scope_set:
        raise InvalidInput("key_scope_empty", "A key needs at least one deployment in scope, or '*'.")
    if role is Role.DEVICE and ALL in scope_set:  # a device serves named deployments only (least privilege)
        raise InvalidInput("key_scope_too_wide", "Device keys must name their deployments.", article_id="M-14.3")
    if not timedelta(0) < ttl <= MAX_KEY_TTL:
        raise InvalidInput("key_ttl_invalid", f"Key lifetime must be between 0 and {MAX_KEY_TTL.days} days.",
                           article_id="M-14.4")
    return ApiKey(key_id, name, role, scope_set, now, now + ttl, None, rotated_from, secret_hash)


def rotate(
    old: ApiKey, new_key_id: str, now: datetime, *, secret_hash: str = "",
    ttl: timedelta = DEFAULT_KEY_TTL, grace: timedelta = ROTATION_GRACE,
) -> tuple[ApiKey, ApiKey]:
    """Replace ``old``: the new key keeps role and scope; the old one expires after ``grace``."""
    new = new_api_key(new_key_id, old.name, old.role, old.scopes, now, ttl=ttl,
                      secret_hash=secret_hash, rotated_from=old.key_id)
    return replace(old, expires_at=min(old.expires_at, now + grace)), new


def revoke(key: ApiKey, now: datetime) -> ApiKey:
    return key if key.revoked_at is not None else replace(key, revoked_at=now)


def authorize_scope(principal: Principal, deployment_id: str) -> None:
    """Reading a deployment's public facts (its notice, status) needs only the scope (M-14.3)."""
    if not principal.covers(deployment_id):
        raise Forbidden("forbidden_scope", "This key is not scoped to that deployment.",
                        "该密钥的授权范围不包括此部署。", article_id="M-14.3", detail={"deployment_id": deployment_id})
