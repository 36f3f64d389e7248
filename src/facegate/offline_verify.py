"""Standalone verifier for an exported processing record: ``python -m facegate.offline_verify FILE`` (M-9.3).

An auditor runs it away from the service. It needs only the standard library,
``cryptography`` (SM3, Ed25519) and facegate's pure domain modules: it rebuilds
each event with ``facegate.domain.audit.canonical`` and re-computes every hash.
Exit status: 0 intact, 1 broken (first broken seq printed), 2 unreadable.

The public keys in the header vouch only for themselves: pass ``--public-key``
(the PEM published in the filing dossier) to pin them, or compare the printed
key ids with the ones on record.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from facegate.domain.audit import GENESIS, ChainedEvent
from facegate.domain.chain import ChainProblem, ChainReport, Checkpoint, verify_chain
from facegate.domain.chain_export import ExportFormatError, ExportHeader, parse_line

OK, BROKEN, UNREADABLE = 0, 1, 2


class Unreadable(Exception):
    pass


def _hash(algorithm: str) -> Callable[[bytes], bytes]:
    if algorithm == "sha256":
        return lambda data: hashlib.sha256(data).digest()
    if algorithm == "sm3":
        def sm3(data: bytes) -> bytes:
            h = hashes.Hash(hashes.SM3())
            h.update(data)
            return h.finalize()
        return sm3
    raise Unreadable(f"unknown hash algorithm {algorithm!r}")


def _public_key(pem: str) -> tuple[str, Ed25519PublicKey]:
    """(key id, key); the id is recomputed as ``adapters.keys.signing.key_id_of`` does."""
    try:
        key = serialization.load_pem_public_key(pem.encode())
    except ValueError as exc:
        raise Unreadable("a public key is not valid PEM") from exc
    if not isinstance(key, Ed25519PublicKey):
        raise Unreadable("a public key is not Ed25519")
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16], key


def _signature_check(keys: dict[str, Ed25519PublicKey]) -> Callable[[bytes, bytes, str], bool]:
    def check(data: bytes, sig: bytes, key_id: str) -> bool:
        key = keys.get(key_id)
        if key is None:
            return False
        try:
            key.verify(sig, data)
        except InvalidSignature:
            return False
        return True
    return check


def _lines(path: Path) -> Iterator[tuple[int, ExportHeader | ChainedEvent | Checkpoint]]:
    try:
        with path.open(encoding="utf-8") as f:
            for n, line in enumerate(f, start=1):
                if line.strip():
                    try:
                        yield n, parse_line(line)
                    except ExportFormatError as exc:
                        raise Unreadable(f"line {n}: {exc}") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise Unreadable(str(exc)) from exc


def _scan(path: Path) -> tuple[ExportHeader, list[Checkpoint]]:
    """First pass: header and checkpoints (few); events are streamed in the second pass."""
    header: ExportHeader | None = None
    cps: list[Checkpoint] = []
    for n, item in _lines(path):
        if isinstance(item, ExportHeader):
            if n != 1 or header is not None:
                raise Unreadable(f"line {n}: header must be the first line, once")
            header = item
        elif header is None:
            raise Unreadable("the first line is not a header")
        elif isinstance(item, Checkpoint):
            cps.append(item)
    if header is None:
        raise Unreadable("empty file")
    return header, cps


def verify_file(path: Path, pinned_pems: Sequence[str] = ()) -> tuple[int, str]:
    """Return (exit status, message)."""
    try:
        header, cps = _scan(path)
        if header.signature_algorithm != "ed25519":
            raise Unreadable(f"unknown signature algorithm {header.signature_algorithm!r}")
        hash_fn = _hash(header.algorithm)
        keys = dict(_public_key(p) for p in (pinned_pems or list(header.public_keys.values())))
        events = (item for _, item in _lines(path) if isinstance(item, ChainedEvent))
        report = verify_chain(
            events, hash_fn, start_prev_hash=header.anchor_prev_hash, start_seq=header.from_seq,
            checkpoints=cps, verify_signature=_signature_check(keys), policy=header.checkpoint_policy,
        )
    except Unreadable as exc:
        return UNREADABLE, f"unreadable: {exc}"
    if report.ok and header.from_seq == 1 and header.anchor_prev_hash != GENESIS:
        report = ChainReport(False, 0, 0, header.anchor_prev_hash, len(cps), 1, ChainProblem.ANCHOR,
                             "a chain starting at seq 1 must start from the genesis hash")
    if report.ok and report.last_seq != header.to_seq:
        problem = ChainProblem.TRUNCATED if report.last_seq < header.to_seq else ChainProblem.INSERTED
        report = ChainReport(False, report.checked, report.last_seq, report.last_hash, len(cps),
                             min(report.last_seq, header.to_seq) + 1, problem,
                             f"header range ends at seq {header.to_seq}, records end at seq {report.last_seq}")
    if not report.ok:
        problem_name = report.problem.value if report.problem else ""
        return BROKEN, f"BROKEN at seq {report.first_broken_seq}: {problem_name}: {report.detail}"
    signed_to = max((c.seq for c in cps), default=header.from_seq - 1)
    trust = "pinned" if pinned_pems else "from the file; compare with the published ids"
    notes = [f"keys {', '.join(sorted(keys))} ({trust})"]
    if header.checkpoint_policy is None:
        notes.append("the header asks not to check the signing policy, so removed checkpoints go unnoticed")
    if signed_to < header.to_seq:
        notes.append(f"records {signed_to + 1}..{header.to_seq} are not covered by a signed checkpoint")
    summary = f"ok: {report.checked} records, seq {header.from_seq}..{header.to_seq}, {header.algorithm}"
    return OK, "; ".join([summary, *notes])


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m facegate.offline_verify", description=__doc__.splitlines()[0])
    parser.add_argument("file", type=Path)
    parser.add_argument("--public-key", type=Path, action="append", default=[],
                        help="PEM file of a trusted checkpoint key (repeatable); overrides the file's own keys")
    args = parser.parse_args(argv)
    try:
        pinned = [p.read_text(encoding="utf-8") for p in args.public_key]
    except OSError as exc:
        print(f"unreadable: {exc}", file=sys.stderr)
        return UNREADABLE
    status, message = verify_file(args.file, pinned)
    print(message, file=sys.stderr if status == UNREADABLE else sys.stdout)
    return status


if __name__ == "__main__":
    sys.exit(main())
