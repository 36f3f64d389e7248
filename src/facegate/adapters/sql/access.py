"""SqlSubjectKeys and SqlApiKeys: the stored subject data keys and API keys on one connection."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, delete, insert, select, update

from facegate.adapters.sql import tables as t
from facegate.domain.access import ApiKey, Role
from facegate.ports.keys import WrappedKey


class SqlSubjectKeys:
    """The SubjectKeyRepository port inside the caller's transaction."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def get(self, subject_id: str) -> WrappedKey | None:
        row = self.conn.execute(select(t.subject_keys).where(t.subject_keys.c.subject_id == subject_id)).first()
        return WrappedKey(row.kek_id, row.algorithm, row.blob) if row else None

    def put(self, subject_id: str, key: WrappedKey) -> None:
        values = {"kek_id": key.kek_id, "algorithm": key.algorithm, "blob": key.blob}
        if self.get(subject_id):
            self.conn.execute(update(t.subject_keys).where(t.subject_keys.c.subject_id == subject_id).values(**values))
        else:
            self.conn.execute(insert(t.subject_keys).values(subject_id=subject_id, **values))

    def delete(self, subject_id: str) -> None:
        self.conn.execute(delete(t.subject_keys).where(t.subject_keys.c.subject_id == subject_id))

    def all(self) -> list[tuple[str, WrappedKey]]:
        rows = self.conn.execute(select(t.subject_keys))
        return [(r.subject_id, WrappedKey(r.kek_id, r.algorithm, r.blob)) for r in rows]


def _api_key(r: Any) -> ApiKey:
    return ApiKey(r.key_id, r.name, Role(r.role), frozenset(r.scopes), r.created_at, r.expires_at, r.revoked_at,
                  r.rotated_from, r.secret_hash)


class SqlApiKeys:
    """The ApiKeyRepository port inside the caller's transaction."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def add(self, key: ApiKey) -> None:
        self.conn.execute(insert(t.api_keys).values(
            key_id=key.key_id, name=key.name, role=key.role.value, scopes=sorted(key.scopes),
            created_at=key.created_at, expires_at=key.expires_at, revoked_at=key.revoked_at,
            rotated_from=key.rotated_from, secret_hash=key.secret_hash))

    def update(self, key: ApiKey) -> None:
        self.conn.execute(update(t.api_keys).where(t.api_keys.c.key_id == key.key_id).values(
            expires_at=key.expires_at, revoked_at=key.revoked_at))

    def get(self, key_id: str) -> ApiKey | None:
        row = self.conn.execute(select(t.api_keys).where(t.api_keys.c.key_id == key_id)).first()
        return _api_key(row) if row else None

    def all(self) -> list[ApiKey]:
        return [_api_key(r) for r in self.conn.execute(select(t.api_keys).order_by(t.api_keys.c.created_at))]
