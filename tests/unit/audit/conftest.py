"""Builders for chains, checkpoints and fake clocks shared by the audit tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from facegate.adapters.keys.hashing import hash_fn
from facegate.adapters.keys.signing import CheckpointSigner, CheckpointVerifier
from facegate.domain.audit import GENESIS, AuditEvent, ChainedEvent, link
from facegate.domain.chain import Checkpoint, make_checkpoint

T0 = datetime(2026, 3, 1, 8, 0, tzinfo=timezone.utc)


@dataclass
class ChainKit:
    """Makes valid chains and signed checkpoints for one hash algorithm and one signer."""

    algorithm: str
    signer: CheckpointSigner

    def __post_init__(self) -> None:
        self.h = hash_fn(self.algorithm)
        self.verifier = CheckpointVerifier([self.signer.public_key_pem()])

    def event(self, i: int, **over: object) -> AuditEvent:
        fields: dict[str, object] = dict(
            kind="verify", at=T0 + timedelta(seconds=i), actor="k0123456789abcdef", deployment_id="front-desk",
            subject_ref=f"ref{i:04d}", allowed=i % 3 != 0, reason_codes=("ok",) if i % 3 else ("consent_missing",),
            detail={"threshold": 0.6, "n": i, "note": "门禁"},
        )
        fields.update(over)
        return AuditEvent(**fields)  # type: ignore[arg-type]

    def chain(self, n: int, *, start_seq: int = 1, prev: str = GENESIS,
              events: list[AuditEvent] | None = None) -> list[ChainedEvent]:
        out = []
        for k in range(n):
            seq = start_seq + k
            ev = events[k] if events else self.event(seq)
            digest = link(prev, seq, ev, self.h)
            out.append(ChainedEvent(seq, ev, prev, digest))
            prev = digest
        return out

    def forge(self, seq: int, prev: str, **over: object) -> ChainedEvent:
        """A self-consistent record an attacker could write without the signing key."""
        ev = self.event(seq, actor="intruder", **over)
        return ChainedEvent(seq, ev, prev, link(prev, seq, ev, self.h))

    def signed(self, recs: list[ChainedEvent], seqs: set[int]) -> list[Checkpoint]:
        """Checkpoints as the store makes them: at the record's own time, each naming the one before."""
        out: list[Checkpoint] = []
        for rec in recs:
            if rec.seq in seqs:
                prev = (out[-1].seq, out[-1].hash) if out else (0, GENESIS)
                out.append(make_checkpoint(rec.seq, rec.hash, rec.event.at, self.signer.sign, self.signer.key_id, prev))
        return out

    def checkpoint(self, rec: ChainedEvent) -> Checkpoint:
        return make_checkpoint(rec.seq, rec.hash, rec.event.at + timedelta(seconds=1), self.signer.sign, self.signer.key_id)


@pytest.fixture(scope="session")
def signer(tmp_path_factory: pytest.TempPathFactory) -> CheckpointSigner:
    return CheckpointSigner(tmp_path_factory.mktemp("keys"))


@pytest.fixture(scope="session")
def kit(signer: CheckpointSigner) -> ChainKit:
    return ChainKit("sha256", signer)


@pytest.fixture(scope="session")
def sm3_kit(signer: CheckpointSigner) -> ChainKit:
    return ChainKit("sm3", signer)


class FakeClock:
    """Both clocks the intrusion code needs: ``now()`` for events, a float for the counters."""

    def __init__(self, start: datetime = T0) -> None:
        self.at = start

    def now(self) -> datetime:
        return self.at

    def __call__(self) -> float:
        return self.at.timestamp()

    def advance(self, seconds: float) -> None:
        self.at += timedelta(seconds=seconds)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def key_dir(tmp_path: Path) -> Path:
    return tmp_path / "keys"
