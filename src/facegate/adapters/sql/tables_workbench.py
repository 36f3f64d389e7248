"""Tables of the compliance officer's workbench: assessments, daily counts, filings, incidents.

They live on the same ``metadata`` as ``tables.py``, so the Alembic migration
generated from it creates them too (import this module before autogenerating;
``workbench.py`` imports it). None of them holds face data (M-9.4).
"""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, Column, Date, Index, Integer, String, Table, Text

from facegate.adapters.sql.tables import UTCDateTime, metadata

# Every version of every impact assessment, kept at least three years from
# approval or supersession (M-9.4). ``document`` is the exact input of the
# renderer and ``html_*`` what it produced, so any version can be re-rendered
# and compared byte for byte (M-9.6).
assessments = Table(
    "wb_assessments", metadata,
    Column("deployment_id", String(64), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("manifest_version", Integer, nullable=False),
    Column("method_hash", String(64), nullable=False),  # purposes + method: the M-9.5 trigger basis
    Column("document", JSON, nullable=False),
    Column("html_zh", Text, nullable=False),
    Column("html_en", Text, nullable=False),
    Column("html_sha256", String(64), nullable=False),
    Column("status", String(16), nullable=False),  # draft | approved | superseded
    Column("reviewer", String(200), nullable=False),
    Column("signed_on", Date, nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("created_by", String(64), nullable=False),
    Column("superseded_at", UTCDateTime, nullable=True),
    Column("retain_until", Date, nullable=False),
)

# One row per processor and day: the highest de-duplicated count seen that day
# (M-15.1); the series is what the threshold date is read from (M-15.2).
people_counts = Table(
    "wb_people_counts", metadata,
    Column("processor_id", String(64), primary_key=True),
    Column("day", Date, primary_key=True),
    Column("count", Integer, nullable=False),
    Column("taken_at", UTCDateTime, nullable=False),
)

# Filings owed and made (M-15.2, M-15.6, M-15.7), with authority, number and
# status history (M-15.9); kept with the PIA records for three years.
filing_records = Table(
    "wb_filing_records", metadata,
    Column("id", String(36), primary_key=True),
    Column("processor_id", String(64), nullable=False),
    Column("kind", String(32), nullable=False),  # initial_filing | change_filing | cancellation_filing
    Column("event_on", Date, nullable=False),  # threshold, change or stop date
    Column("trigger", String(32), nullable=True),  # ChangeTrigger for change filings
    Column("deployment_id", String(64), nullable=True),
    Column("authority", String(200), nullable=False, default=""),
    Column("submitted_on", Date, nullable=True),
    Column("filing_number", String(100), nullable=False, default=""),
    Column("status", String(16), nullable=False),  # open | submitted | accepted | rejected
    Column("history", JSON, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("retain_until", Date, nullable=False),
    Index("ix_wb_filing_records_processor", "processor_id", "kind"),
)

# Security incidents (M-14.6); a major one makes the assessment out of date (M-9.5).
incidents = Table(
    "wb_incidents", metadata,
    Column("id", String(36), primary_key=True),
    Column("processor_id", String(64), nullable=False),
    Column("deployment_id", String(64), nullable=True),  # None: every deployment of the processor
    Column("is_major", Boolean, nullable=False),
    Column("occurred_at", UTCDateTime, nullable=False),
    Column("recorded_at", UTCDateTime, nullable=False),
    Column("recorded_by", String(64), nullable=False),
    Column("summary", Text, nullable=False),
    Column("data_types", String(200), nullable=False, default=""),
    Column("remedial", Text, nullable=False, default=""),
    Index("ix_wb_incidents_deployment", "deployment_id", "occurred_at"),
)

__all__ = ["assessments", "filing_records", "incidents", "people_counts"]
