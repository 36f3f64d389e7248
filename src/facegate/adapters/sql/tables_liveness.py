"""Tables for liveness: one-time challenges and keyed digests of frames already sent.

Neither holds face data: a challenge is an id, a deployment and an order of
head movements; a digest is an HMAC of a frame's SHA-256, useful only to say
"these exact bytes came before" (replay), and deleted when its window ends.
"""

from __future__ import annotations

from sqlalchemy import JSON, Column, Index, String, Table

from facegate.adapters.sql.tables import UTCDateTime, metadata

liveness_challenges = Table(
    "liveness_challenges", metadata,
    Column("id", String(64), primary_key=True),
    Column("deployment_id", String(64), nullable=False),
    Column("steps", JSON, nullable=False),
    Column("issued_at", UTCDateTime(), nullable=False),
    Column("expires_at", UTCDateTime(), nullable=False),
    Column("state", String(16), nullable=False),  # issued | used
    Column("used_at", UTCDateTime(), nullable=True),
    Index("ix_liveness_challenges_expires_at", "expires_at"),
)

liveness_frames = Table(
    "liveness_frames", metadata,
    Column("digest", String(128), primary_key=True),
    Column("expires_at", UTCDateTime(), nullable=False),
    Index("ix_liveness_frames_expires_at", "expires_at"),
)
