"""Tables for the person's side: rights requests and complaints, and one-time form tokens.

They live on the same ``metadata`` as ``tables.py``, so the Alembic migration
generated from that metadata creates them too (import this module before
autogenerating; ``tables.py`` imports it at its end).
"""

from __future__ import annotations

from sqlalchemy import JSON, Column, Date, Index, String, Table

from facegate.adapters.sql.tables import UTCDateTime, metadata

# M-16.2, PIPL Art. 50: rights requests and complaints are each kept with their
# due date so the operator can answer in time; never holds face data (M-9.4).
person_requests = Table(
    "person_requests", metadata,
    Column("id", String(36), primary_key=True),
    Column("kind", String(16), nullable=False),  # withdrawal | deletion | complaint
    Column("status", String(16), nullable=False),  # open | completed | answered | refused
    Column("processor_id", String(64), nullable=False),
    Column("deployment_id", String(64), nullable=True),
    Column("purpose", String(64), nullable=True),
    Column("receipt_hash", String(64), nullable=True),  # keyed hash of the consent receipt code
    Column("outcome_hash", String(64), nullable=True),  # keyed hash of the deletion receipt code
    Column("subject_pseudonym", String(64), nullable=True),
    Column("subject_ref", String(128), nullable=True),  # kept only while the request is open
    Column("detail", JSON, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("due_on", Date, nullable=False),
    Column("completed_at", UTCDateTime, nullable=True),
    Index("ix_person_requests_receipt", "receipt_hash"),
    Index("ix_person_requests_outcome", "outcome_hash"),
    Index("ix_person_requests_status", "status", "due_on"),
)

# A page hands out one token per form; the submission spends it, so a replayed
# or double-submitted form does nothing a second time.
form_tokens = Table(
    "form_tokens", metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("kind", String(32), nullable=False),
    Column("scope", String(128), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    Column("used_at", UTCDateTime, nullable=True),
    Index("ix_form_tokens_expires", "expires_at"),
)
