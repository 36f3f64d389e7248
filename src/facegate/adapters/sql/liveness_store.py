"""The ChallengeStore on the shared database: a challenge is claimed once by a conditional UPDATE."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import Engine, delete, insert, select, update

from facegate.adapters.sql.tables_liveness import liveness_challenges as lc
from facegate.adapters.sql.tables_liveness import liveness_frames as lf
from facegate.domain.liveness import Challenge, ChallengeState, Step

if TYPE_CHECKING:
    from sqlalchemy.dialects import postgresql, sqlite

KEEP_USED = timedelta(hours=1)  # a used challenge is kept a while so a late second try says "used"


class SqlChallengeStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def __repr__(self) -> str:
        return "SqlChallengeStore()"

    def put(self, challenge: Challenge) -> None:
        with self.engine.begin() as conn:
            # Housekeeping on the way in: challenges and digests past their time go.
            conn.execute(delete(lc).where(lc.c.expires_at < challenge.issued_at - KEEP_USED))
            conn.execute(delete(lf).where(lf.c.expires_at < challenge.issued_at))
            conn.execute(insert(lc).values(
                id=challenge.id, deployment_id=challenge.deployment_id, steps=[s.value for s in challenge.steps],
                issued_at=challenge.issued_at, expires_at=challenge.expires_at, state=challenge.state.value))

    def claim(self, challenge_id: str, now: datetime) -> Challenge | None:
        with self.engine.begin() as conn:
            row = conn.execute(select(lc).where(lc.c.id == challenge_id)).first()
            if row is None:
                return None
            won = conn.execute(update(lc).where(lc.c.id == challenge_id, lc.c.state == ChallengeState.ISSUED.value)
                               .values(state=ChallengeState.USED.value, used_at=now)).rowcount == 1
        return Challenge(row.id, row.deployment_id, tuple(Step(s) for s in row.steps), row.issued_at,
                         row.expires_at, ChallengeState.ISSUED if won else ChallengeState.USED)

    def seen_before(self, digests: Sequence[str], now: datetime, keep_for: timedelta) -> bool:
        until = now + keep_for
        if not digests:
            return False
        with self.engine.begin() as conn:
            known = conn.execute(select(lf.c.digest).where(lf.c.digest.in_(list(digests)))).scalars().all()
            fresh = [d for d in digests if d not in set(known)]
            inserted = 0
            for digest in fresh:
                stmt = _insert_ignore(conn.dialect.name).values(digest=digest, expires_at=until)
                inserted += len(conn.execute(stmt.returning(lf.c.digest)).all())  # rowcount is -1 on psycopg
        return bool(known) or inserted < len(fresh)


def _insert_ignore(dialect: str) -> postgresql.Insert | sqlite.Insert:
    """INSERT that skips a digest another node wrote meanwhile (both dialects support ON CONFLICT)."""
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert(lf).on_conflict_do_nothing(index_elements=["digest"])
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert(lf).on_conflict_do_nothing(index_elements=["digest"])
