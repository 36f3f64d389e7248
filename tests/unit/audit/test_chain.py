"""Checkpoints, archival anchors, the retention lock, hashing and signing keys (M-9.3, M-9.4)."""

from __future__ import annotations

import stat
import tracemalloc
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from facegate.adapters.keys.hashing import hash_fn
from facegate.adapters.keys.signing import CheckpointSigner, CheckpointVerifier, key_id_of, verify_signature
from facegate.domain.audit import GENESIS, AuditEvent, ChainedEvent, link
from facegate.domain.chain import (
    ChainProblem,
    anchor_of,
    archive_anchor,
    check_purge_cutoff,
    checkpoint_bytes,
    retention_lock_until,
    should_checkpoint,
    verify_chain,
)
from facegate.errors import ConfigurationError, Conflict

UTC = timezone.utc
NOW = datetime(2030, 6, 1, tzinfo=UTC)


# --- checkpoints ------------------------------------------------------------------------------

def test_checkpoint_policy_counts_events_and_seconds() -> None:
    at = NOW - timedelta(seconds=10)
    assert should_checkpoint(0, None, 1, NOW)  # first record gets pinned at once
    assert not should_checkpoint(0, None, 0, NOW)
    assert not should_checkpoint(1000, at, 1999, NOW)
    assert should_checkpoint(1000, at, 2000, NOW)
    assert should_checkpoint(1000, NOW - timedelta(seconds=300), 1001, NOW)
    assert not should_checkpoint(1000, NOW - timedelta(seconds=300), 1000, NOW)  # nothing new to sign
    assert should_checkpoint(10, at, 15, NOW, every_events=5, every_seconds=3600)


def test_forged_checkpoint_signature_is_reported(kit) -> None:  # type: ignore[no-untyped-def]
    recs = kit.chain(10)
    cp = kit.checkpoint(recs[4])
    bad = replace(cp, hash=recs[5].hash)  # claims another hash under the old signature
    report = verify_chain(recs, kit.h, checkpoints=[bad], verify_signature=kit.verifier)
    assert (report.ok, report.first_broken_seq, report.problem) == (False, 5, ChainProblem.BAD_CHECKPOINT)
    garbled = replace(cp, signature="zz")
    assert verify_chain(recs, kit.h, checkpoints=[garbled], verify_signature=kit.verifier).problem is ChainProblem.BAD_CHECKPOINT


def test_checkpoints_need_a_signature_check(kit) -> None:  # type: ignore[no-untyped-def]
    recs = kit.chain(2)
    with pytest.raises(ValueError):
        verify_chain(recs, kit.h, checkpoints=[kit.checkpoint(recs[0])])


def test_checkpoint_bytes_bind_every_field() -> None:
    base = checkpoint_bytes(5, "ab" * 32, NOW, "k1")
    assert base.startswith(b"facegate-checkpoint/v1\n")
    assert len({base, checkpoint_bytes(6, "ab" * 32, NOW, "k1"), checkpoint_bytes(5, "ac" * 32, NOW, "k1"),
                checkpoint_bytes(5, "ab" * 32, NOW + timedelta(1), "k1"), checkpoint_bytes(5, "ab" * 32, NOW, "k2")}) == 5


# --- archival and the retention lock (M-9.4) --------------------------------------------------

def test_retention_lock_is_three_years() -> None:
    assert retention_lock_until(datetime(2026, 6, 1, tzinfo=UTC)) == datetime(2029, 6, 1, tzinfo=UTC)
    assert retention_lock_until(datetime(2028, 2, 29, tzinfo=UTC)) == datetime(2031, 3, 1, tzinfo=UTC)
    later = datetime(2027, 1, 1, tzinfo=UTC)
    assert retention_lock_until(datetime(2026, 6, 1, tzinfo=UTC), superseded_at=later) == datetime(2030, 1, 1, tzinfo=UTC)


def test_purge_cutoff_younger_than_three_years_is_refused() -> None:
    check_purge_cutoff(datetime(2027, 6, 1, tzinfo=UTC), NOW)
    with pytest.raises(Conflict) as exc:
        check_purge_cutoff(datetime(2027, 6, 2, tzinfo=UTC), NOW)
    assert (exc.value.code, exc.value.article_id) == ("retention_locked", "M-9.4")


def test_verification_resumes_from_an_archived_anchor(kit) -> None:  # type: ignore[no-untyped-def]
    recs = kit.chain(50)
    cps = [kit.checkpoint(recs[k]) for k in (9, 19, 29, 49)]
    cutoff = recs[25].event.at  # pretend this is more than three years before "now"
    anchor_cp = archive_anchor(cps, cutoff, cutoff + timedelta(days=3 * 366))
    assert anchor_cp is not None and anchor_cp.seq == 20
    remaining = recs[anchor_cp.seq:]
    anchor = anchor_of(anchor_cp)
    report = verify_chain(remaining, kit.h, checkpoints=cps, verify_signature=kit.verifier, **anchor._asdict())
    assert report.ok and report.checked == 30
    # a wrong anchor is caught, whether by the checkpoint or by the first record's link
    wrong = verify_chain(remaining, kit.h, start_prev_hash=recs[5].hash, start_seq=21,
                         checkpoints=cps, verify_signature=kit.verifier)
    assert (wrong.first_broken_seq, wrong.problem) == (21, ChainProblem.ANCHOR)
    assert verify_chain(remaining, kit.h, start_prev_hash=recs[5].hash, start_seq=21).problem is ChainProblem.ANCHOR
    # archival too early is refused
    with pytest.raises(Conflict):
        archive_anchor(cps, cutoff, cutoff + timedelta(days=365))


# --- streaming, at scale ------------------------------------------------------------------------

def _stream(n: int, h) -> Iterator[ChainedEvent]:  # type: ignore[no-untyped-def]
    prev, t0 = GENESIS, datetime(2026, 1, 1, tzinfo=UTC)
    for seq in range(1, n + 1):
        ev = AuditEvent("verify", t0 + timedelta(seconds=seq), "key", "dep", f"r{seq}", True, ("ok",), {"n": seq})
        digest = link(prev, seq, ev, h)
        yield ChainedEvent(seq, ev, prev, digest)
        prev = digest


def test_verification_memory_does_not_grow_with_the_chain() -> None:
    h = hash_fn("sha256")
    peaks = []
    for n in (2_000, 20_000):
        tracemalloc.start()
        assert verify_chain(_stream(n, h), h).checked == n
        peaks.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
    assert peaks[1] < peaks[0] * 1.5 + 10_000


@pytest.mark.slow
def test_a_million_records_verify() -> None:
    h = hash_fn("sha256")
    report = verify_chain(_stream(1_000_000, h), h)
    assert report.ok and report.last_seq == 1_000_000  # how fast: bench/bench_audit.py, never a test


# --- hashing and signing adapters ---------------------------------------------------------------

def test_hash_functions() -> None:
    assert hash_fn("sm3")(b"abc").hex() == "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"  # GB/T 32905 A.1
    assert hash_fn("SHA256")(b"abc").hex().startswith("ba7816bf")
    with pytest.raises(ConfigurationError) as exc:
        hash_fn("md5")
    assert exc.value.code == "hash_algorithm_unknown"


def test_signer_creates_a_private_key_file_0600_and_reuses_it(key_dir: Path) -> None:
    first = CheckpointSigner(key_dir)
    files = list(key_dir.iterdir())
    assert len(files) == 1 and stat.S_IMODE(files[0].stat().st_mode) == 0o600
    second = CheckpointSigner(key_dir)
    assert second.key_id == first.key_id == key_id_of(first.public_key_pem()) and len(first.key_id) == 16
    sig = first.sign(b"data")
    assert verify_signature(second.public_key_pem(), b"data", sig)
    assert not verify_signature(second.public_key_pem(), b"datA", sig)
    assert not verify_signature("not a pem", b"data", sig)


def test_signer_never_shows_key_material(key_dir: Path) -> None:
    s = CheckpointSigner(key_dir)
    secret = (key_dir / "checkpoint-ed25519.pem").read_text()
    assert repr(s) == f"CheckpointSigner(key_id={s.key_id!r})" and "PRIVATE" not in repr(s) + str(s)
    assert secret.splitlines()[1] not in repr(vars(s))


def test_signer_refuses_a_key_file_others_can_read(key_dir: Path) -> None:
    CheckpointSigner(key_dir)
    (key_dir / "checkpoint-ed25519.pem").chmod(0o644)
    with pytest.raises(ConfigurationError) as exc:
        CheckpointSigner(key_dir)
    assert exc.value.code == "key_file_permissions"


def test_verifier_looks_keys_up_by_their_real_fingerprint(key_dir: Path, signer) -> None:  # type: ignore[no-untyped-def]
    other = CheckpointSigner(key_dir)
    check = CheckpointVerifier({signer.key_id: other.public_key_pem()})  # mislabelled on purpose
    sig = other.sign(b"x")
    assert check(b"x", sig, other.key_id)
    assert not check(b"x", sig, signer.key_id)
    assert "key_ids" in repr(check)


def test_nodes_starting_together_end_up_with_one_key(key_dir: Path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(8) as pool:
        ids = set(pool.map(lambda _: CheckpointSigner(key_dir).key_id, range(8)))
    assert len(ids) == 1 and [p.name for p in key_dir.iterdir()] == ["checkpoint-ed25519.pem"]
