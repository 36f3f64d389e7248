"""The ChallengeStore on Redis, for several nodes: SET NX makes each claim and each digest count once."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from datetime import datetime, timedelta

import redis

from facegate.domain.liveness import Challenge, ChallengeState, Step

KEEP_USED = timedelta(hours=1)


class RedisChallengeStore:
    def __init__(self, url: str, prefix: str = "facegate:liveness:") -> None:
        self._redis = redis.Redis.from_url(url)
        self._prefix = prefix

    def __repr__(self) -> str:
        return f"RedisChallengeStore(prefix={self._prefix!r})"

    def _ttl(self, challenge: Challenge) -> int:
        return max(1, math.ceil((challenge.expires_at - challenge.issued_at + KEEP_USED).total_seconds()))

    def put(self, challenge: Challenge) -> None:
        body = {"id": challenge.id, "deployment_id": challenge.deployment_id,
                "steps": [s.value for s in challenge.steps], "issued_at": challenge.issued_at.isoformat(),
                "expires_at": challenge.expires_at.isoformat()}
        self._redis.set(self._prefix + "c:" + challenge.id, json.dumps(body), ex=self._ttl(challenge), nx=True)

    def claim(self, challenge_id: str, now: datetime) -> Challenge | None:
        raw = self._redis.get(self._prefix + "c:" + challenge_id)
        if raw is None:
            return None
        body = json.loads(raw)
        ch = Challenge(body["id"], body["deployment_id"], tuple(Step(s) for s in body["steps"]),
                       datetime.fromisoformat(body["issued_at"]), datetime.fromisoformat(body["expires_at"]))
        won = self._redis.set(self._prefix + "used:" + challenge_id, now.isoformat(), ex=self._ttl(ch), nx=True)
        return ch if won else Challenge(ch.id, ch.deployment_id, ch.steps, ch.issued_at, ch.expires_at,
                                        ChallengeState.USED)

    def seen_before(self, digests: Sequence[str], now: datetime, keep_for: timedelta) -> bool:
        ttl = max(1, math.ceil(keep_for.total_seconds()))
        pipe = self._redis.pipeline()
        for digest in digests:
            pipe.set(self._prefix + "f:" + digest, b"1", ex=ttl, nx=True)
        return not all(pipe.execute())
