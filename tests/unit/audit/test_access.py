"""Roles, scopes and the API key lifecycle (M-14.3, M-14.4)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from facegate.adapters.keys.api_keys import generate_api_key, hash_secret, parse_api_key, secret_matches
from facegate.domain.access import (
    ALL,
    FACE_PERMISSIONS,
    MAX_KEY_TTL,
    ApiKey,
    Permission,
    Principal,
    Role,
    authorize,
    check_key_usable,
    new_api_key,
    revoke,
    rotate,
)
from facegate.errors import Forbidden, InvalidInput, Unauthorized

NOW = datetime(2026, 3, 1, tzinfo=timezone.utc)
P = Permission


def _p(role: Role, *scopes: str) -> Principal:
    return Principal("k" * 16, role, frozenset(scopes or (ALL,)))


def _forbidden(principal: Principal, perm: Permission, dep: str | None = "door") -> str:
    with pytest.raises(Forbidden) as exc:
        authorize(principal, perm, dep)
    assert exc.value.article_id == "M-14.3" and exc.value.status == 403
    return exc.value.code


def test_admin_may_do_everything() -> None:
    for perm in Permission:
        authorize(_p(Role.ADMIN), perm, None)


def test_auditor_reads_records_but_never_touches_faces() -> None:
    auditor = _p(Role.AUDITOR)
    for perm in (P.READ_RECORDS, P.READ_REPORTS, P.AUDIT_VERIFY, P.AUDIT_EXPORT, P.SECURITY_READ):
        authorize(auditor, perm, None)
    for perm in FACE_PERMISSIONS | {P.CONSENT_WRITE, P.KEY_MANAGE, P.DEPLOYMENT_WRITE}:
        assert _forbidden(auditor, perm) == "forbidden_role"


def test_device_reaches_only_face_operations_of_its_deployments() -> None:
    device = _p(Role.DEVICE, "door")
    for perm in (P.VERIFY, P.IDENTIFY, P.ENROLL, P.ALTERNATIVE, P.CONSENT_WRITE):
        authorize(device, perm, "door")
        assert _forbidden(device, perm, "lobby") == "forbidden_scope"
        assert _forbidden(device, perm, None) == "forbidden_scope"
    for perm in (P.READ_RECORDS, P.DELETE_SUBJECT, P.KEY_MANAGE, P.AUDIT_EXPORT, P.SECURITY_READ):
        assert _forbidden(device, perm) == "forbidden_role"


def test_operator_scoped_and_unscoped() -> None:
    op = _p(Role.OPERATOR, "door", "lobby")
    authorize(op, "delete_subject", "lobby")
    assert _forbidden(op, P.VERIFY, "garage") == "forbidden_scope"
    assert _forbidden(op, P.KEY_MANAGE, None) == "forbidden_role"
    assert _forbidden(op, P.DEPLOYMENT_WRITE) == "forbidden_role"
    authorize(_p(Role.OPERATOR), P.VERIFY, "garage")
    with pytest.raises(ValueError):
        authorize(op, "view_raw_images", "door")  # no such permission exists (M-14.3)


def test_generated_keys_parse_and_match() -> None:
    key_id, token = generate_api_key()
    assert token.startswith(f"fg_{key_id}_") and len(key_id) == 16
    kid, secret = parse_api_key(token)
    assert kid == key_id and secret_matches(secret, hash_secret(secret))
    assert not secret_matches(secret + "x", hash_secret(secret))
    assert hash_secret(secret) != secret and len(hash_secret(secret)) == 64
    assert generate_api_key() != generate_api_key()


@pytest.mark.parametrize("token", [
    "", "fg_", "fg_0123456789abcdef_", "xx_0123456789abcdef_" + "a" * 43, "fg_0123456789ABCDEF_" + "a" * 43,
    "fg_0123_" + "a" * 43, "fg_0123456789abcdef_" + "a" * 10, "fg_0123456789abcdef_" + "a" * 42 + "!",
    "Bearer fg_0123456789abcdef_" + "a" * 43,
])
def test_malformed_tokens_are_refused(token: str) -> None:
    with pytest.raises(Unauthorized) as exc:
        parse_api_key(token)
    assert (exc.value.code, exc.value.status) == ("key_malformed", 401)
    assert "a" * 10 not in str(exc.value) + str(exc.value.detail)  # the secret is never echoed


def test_keys_are_time_bound_and_revocation_is_immediate() -> None:
    key = new_api_key("0123456789abcdef", "door 1", "device", {"door"}, NOW, secret_hash="h")
    assert key.expires_at == NOW + timedelta(days=90) and "h" not in repr(key).replace("door", "")
    assert check_key_usable(key, NOW) == Principal(key.key_id, Role.DEVICE, frozenset({"door"}))
    with pytest.raises(Unauthorized) as exc:
        check_key_usable(key, key.expires_at)
    assert (exc.value.code, exc.value.article_id) == ("key_expired", "M-14.4")
    revoked = revoke(key, NOW + timedelta(hours=1))
    assert revoke(revoked, NOW + timedelta(days=2)).revoked_at == revoked.revoked_at
    check_key_usable(revoked, NOW)  # before the revocation instant
    with pytest.raises(Unauthorized) as exc:
        check_key_usable(revoked, NOW + timedelta(hours=1))
    assert exc.value.code == "key_revoked"
    assert not revoked.is_active(NOW + timedelta(hours=2)) and key.is_active(NOW)


def test_key_creation_refuses_unbounded_or_too_wide_grants() -> None:
    with pytest.raises(InvalidInput):
        new_api_key("0123456789abcdef", "x", Role.ADMIN, {ALL}, NOW, ttl=MAX_KEY_TTL + timedelta(days=1))
    with pytest.raises(InvalidInput):
        new_api_key("0123456789abcdef", "x", Role.DEVICE, {ALL}, NOW)
    with pytest.raises(InvalidInput):
        new_api_key("0123456789abcdef", "x", Role.OPERATOR, set(), NOW)


def test_rotation_keeps_role_and_scope_and_ends_the_old_key() -> None:
    old = new_api_key("0123456789abcdef", "desk", Role.OPERATOR, {"door"}, NOW)
    later = NOW + timedelta(days=30)
    ended, new = rotate(old, "fedcba9876543210", later, secret_hash="h2")
    assert isinstance(new, ApiKey) and new.rotated_from == old.key_id
    assert (new.role, new.scopes, new.created_at) == (old.role, old.scopes, later)
    assert ended.expires_at == later + timedelta(hours=24)
    assert not ended.is_active(later + timedelta(hours=25)) and new.is_active(later + timedelta(hours=25))
