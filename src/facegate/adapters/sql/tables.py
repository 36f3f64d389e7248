"""The relational schema (SQLAlchemy Core), shared by SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    Float,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.types import TypeDecorator

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


class UTCDateTime(TypeDecorator[datetime]):
    """Stores naive UTC, returns aware UTC: SQLite keeps no time zone."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: object) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


processors = Table(
    "processors", metadata,
    Column("id", String(64), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("contact", String(200), nullable=False, default=""),
    Column("uscc", String(32), nullable=False, default=""),
    Column("name_en", String(200), nullable=False, default="", server_default=""),  # optional English name
)

deployments = Table(
    "deployments", metadata,
    Column("id", String(64), primary_key=True),
    Column("processor_id", String(64), ForeignKey("processors.id"), nullable=False),
    Column("version", Integer, nullable=False),
    Column("name", String(200), nullable=False),
    Column("name_zh", String(200), nullable=False, default=""),
    Column("purposes", JSON, nullable=False),
    Column("mode", String(8), nullable=False),
    Column("alternatives", JSON, nullable=False),
    Column("storage_locality", String(16), nullable=False),
    Column("retention_days", Integer, nullable=False),
    Column("status", String(16), nullable=False),
    Column("notice_version", String(64), nullable=False, default=""),
    Column("scope_hash", String(64), nullable=False, default=""),
    Column("minors_allowed", Boolean, nullable=False, default=False),
    Column("written_consent_required", Boolean, nullable=False, default=False),
    Column("consent_required", Boolean, nullable=False, default=True),
    Column("legal_basis_ref", String(200), nullable=False, default=""),
    Column("manifest", JSON, nullable=False),
    # The material terms, age and separate-consent policy the gate checks (M-6.4, M-7.1, M-8.2).
    Column("gate_terms", JSON, nullable=True),
)

# The thresholds a deployment adopted from ``facegate calibrate`` (counts only, no face data).
calibrations = Table(
    "calibrations", metadata,
    Column("deployment_id", String(64), primary_key=True),
    Column("engine", String(64), nullable=False),
    Column("document", JSON, nullable=False),  # domain.openset.Calibration.to_dict()
    Column("target_far", JSON, nullable=False),
    Column("target_fpir", JSON, nullable=False),
    Column("verify_threshold", JSON, nullable=False),
    Column("adopted_at", UTCDateTime, nullable=False),
    Column("adopted_by", String(64), nullable=False),
)

deployment_versions = Table(
    "deployment_versions", metadata,
    Column("deployment_id", String(64), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("status", String(16), nullable=False),
    Column("manifest", JSON, nullable=False),
    Column("findings", JSON, nullable=False),
    Column("applied_at", UTCDateTime, nullable=False),
    Column("applied_by", String(64), nullable=False),
)

subjects = Table(
    "subjects", metadata,
    Column("id", String(36), primary_key=True),
    Column("processor_id", String(64), ForeignKey("processors.id"), nullable=False),
    Column("external_ref", String(128), nullable=False),
    Column("minor_until", Date, nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    UniqueConstraint("processor_id", "external_ref"),
)

subject_keys = Table(
    "subject_keys", metadata,
    Column("subject_id", String(36), ForeignKey("subjects.id", ondelete="CASCADE"), primary_key=True),
    Column("kek_id", String(32), nullable=False),
    Column("algorithm", String(16), nullable=False),
    Column("blob", LargeBinary, nullable=False),
)

consents = Table(
    "consents", metadata,
    Column("id", String(36), primary_key=True),
    Column("subject_id", String(36), ForeignKey("subjects.id", ondelete="CASCADE"), nullable=False),
    Column("deployment_id", String(64), ForeignKey("deployments.id"), nullable=False),
    Column("purpose", String(64), nullable=False),
    Column("notice_version", String(64), nullable=False),
    Column("scope_hash", String(64), nullable=False),
    Column("channel", String(64), nullable=False),
    Column("actor", String(16), nullable=False),
    Column("given_at", UTCDateTime, nullable=False),
    Column("withdrawn_at", UTCDateTime, nullable=True),
    Column("guardian_ref", String(128), nullable=True),
    Column("guardian_relationship", String(32), nullable=True),
    Column("receipt_hash", String(64), nullable=True, unique=True),
    Column("kind", String(16), nullable=False, server_default="consent"),
    Column("terms", JSON, nullable=True),
    Column("separate_consents", JSON, nullable=True),
    Column("age_basis", String(24), nullable=True),
    Column("age_attested_by", String(128), nullable=True),
    Index("ix_consents_subject", "subject_id", "deployment_id"),
)

templates = Table(
    "templates", metadata,
    Column("id", String(36), primary_key=True),
    Column("subject_id", String(36), ForeignKey("subjects.id", ondelete="CASCADE"), nullable=False),
    Column("deployment_id", String(64), ForeignKey("deployments.id"), nullable=False),
    Column("purpose", String(64), nullable=False),
    Column("engine", String(64), nullable=False),
    # The engine's model version: templates of different (engine, version) are never compared.
    Column("engine_version", String(64), nullable=False, server_default=""),
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    Column("key_id", String(32), nullable=False),
    Column("sealed", LargeBinary, nullable=False),
    Index("ix_templates_gallery", "deployment_id", "purpose"),
    Index("ix_templates_subject", "subject_id"),
    Index("ix_templates_expires", "expires_at"),
)

audit_events = Table(
    "audit_events", metadata,
    Column("seq", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=False),
    Column("kind", String(32), nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Column("actor", String(64), nullable=False),
    Column("deployment_id", String(64), nullable=True),
    Column("subject_ref", String(64), nullable=True),
    Column("allowed", Boolean, nullable=True),
    Column("reason_codes", JSON, nullable=False),
    Column("detail", JSON, nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
    Index("ix_audit_events_at", "at"),
)

# One row; locking it serialises appends so the chain stays one line under
# concurrent writers on several nodes (M-9.3).
audit_head = Table(
    "audit_head", metadata,
    Column("id", Integer, primary_key=True),
    Column("seq", BigInteger, nullable=False),
    Column("hash", String(64), nullable=False),
    Column("checkpoint_seq", BigInteger, nullable=False, default=0),
    Column("checkpoint_at", UTCDateTime, nullable=True),
)

checkpoints = Table(
    "audit_checkpoints", metadata,
    Column("seq", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=False),
    Column("hash", String(64), nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Column("key_id", String(32), nullable=False),
    Column("signature", Text, nullable=False),
    Column("prev_seq", BigInteger, nullable=True),  # the checkpoint signed before; NULL on v1 rows
    Column("prev_hash", String(64), nullable=True),
)

# The replayable change feed (DESIGN: "the change feed must be replayable"): one row per transaction that
# changed a gallery, numbered in commit order (written under the record's head lock). Template ids only.
gallery_changes = Table(
    "gallery_changes", metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("at", UTCDateTime, nullable=False),
    Column("changes", JSON, nullable=False),  # {"added": [ids], "removed": [ids], "invalidated": [deployments]}
)

# Each node replaying the log, with the last change it applied: rows every live one has applied are pruned.
gallery_consumers = Table(
    "gallery_consumers", metadata,
    Column("node", String(64), primary_key=True),
    Column("version", BigInteger().with_variant(Integer, "sqlite"), nullable=False),
    Column("seen_at", Float, nullable=False),  # the node's clock (epoch seconds) at its last report
)

api_keys = Table(
    "api_keys", metadata,
    Column("key_id", String(32), primary_key=True),
    Column("name", String(100), nullable=False),
    Column("role", String(16), nullable=False),
    Column("scopes", JSON, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    Column("revoked_at", UTCDateTime, nullable=True),
    Column("rotated_from", String(32), nullable=True),
    Column("secret_hash", String(64), nullable=False),  # sha256 of the secret; the secret is never kept
)

security_events = Table(
    "security_events", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kind", String(32), nullable=False),
    Column("severity", String(8), nullable=False),
    Column("key_id", String(32), nullable=True),
    Column("client", String(64), nullable=True),
    Column("subject_ref", String(64), nullable=True),
    Column("at", UTCDateTime, nullable=False),
    Column("detail", JSON, nullable=False),
    Index("ix_security_events_at", "at"),
)

# Tables of the person-facing side live in their own module on the same metadata.
from facegate.adapters.sql import tables_person as _tables_person  # noqa: E402,F401
from facegate.adapters.sql import tables_workbench as _tables_workbench  # noqa: E402,F401
from facegate.adapters.sql import tables_liveness as _tables_liveness  # noqa: E402,F401
