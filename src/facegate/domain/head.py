"""The record's head: the head row checked against the records, and signed heads witnessed outside the database.

A checkpoint is the signed head of the record at the moment it is made (every
thousand records or five minutes, and on demand before an export or an anchor).
An *anchor* is such a signed head copied out of the database, to an append-only
file or a witness. Whoever holds the database and even the signing key can
re-sign a rewritten record, but cannot make it agree with an anchor made
before: a record that ends before the anchor's seq, or whose hash there
differs, is a rollback (M-9.3, M-14.2).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime

from facegate.domain.chain import ChainProblem, ChainReport, Checkpoint, SignatureCheck, checkpoint_is_valid
from facegate.domain.chain_export import ExportFormatError, checkpoint_fields, parse_checkpoint

ANCHOR_FORMAT = "facegate-anchor/v1"


@dataclass(frozen=True)
class HeadState:
    """The head row: the last record's seq and hash, and the seq of the newest checkpoint."""

    seq: int
    hash: str
    checkpoint_seq: int


def anchor_line(cp: Checkpoint, anchored_at: datetime, algorithm: str) -> str:
    """One JSON line for the append-only anchor file: the signed head and when it was taken out."""
    body = {"type": "anchor", "format": ANCHOR_FORMAT, "algorithm": algorithm,
            "anchored_at": anchored_at.isoformat(), **checkpoint_fields(cp)}
    return json.dumps(body, sort_keys=True, separators=(",", ":"))


def parse_anchors(lines: Iterable[str]) -> list[Checkpoint]:
    """The signed heads in an anchor file; a line that is not one is an error, never skipped."""
    out = []
    for n, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except ValueError as exc:
            raise ExportFormatError(f"anchor line {n}: not JSON") from exc
        if not isinstance(obj, dict) or obj.get("type") != "anchor" or obj.get("format") != ANCHOR_FORMAT:
            raise ExportFormatError(f"anchor line {n}: not a {ANCHOR_FORMAT} line")
        try:
            out.append(parse_checkpoint(obj))
        except ExportFormatError as exc:
            raise ExportFormatError(f"anchor line {n}: {exc}") from exc
    return out


def _broken(report: ChainReport, seq: int, problem: ChainProblem, detail: str) -> ChainReport:
    return replace(report, ok=False, first_broken_seq=seq, problem=problem, detail=detail)


def check_head(report: ChainReport, head: HeadState, checkpoints: list[Checkpoint]) -> ChainReport:
    """The records must end exactly where the head row says, and the newest checkpoint be the one it names.

    ``report`` comes from walking the records up to ``head.seq``; ``checkpoints`` are those up to it.
    """
    if not report.ok:
        return report
    if report.last_seq < head.seq:
        return _broken(report, report.last_seq + 1, ChainProblem.TRUNCATED,
                       f"the head row names seq {head.seq}, but the records end at seq {report.last_seq}")
    if report.last_seq > head.seq:
        return _broken(report, head.seq + 1, ChainProblem.INSERTED,
                       f"records continue past the head row's seq {head.seq}")
    if report.last_hash != head.hash:
        return _broken(report, head.seq, ChainProblem.EDITED,
                       f"the record at seq {head.seq} does not have the hash the head row names")
    newest = checkpoints[-1].seq if checkpoints else 0
    if head.checkpoint_seq != newest:
        return _broken(report, min(newest, head.checkpoint_seq) + 1, ChainProblem.CHECKPOINT_MISSING,
                       f"the head row says the record was last signed at seq {head.checkpoint_seq}, "
                       f"but the newest checkpoint stored is at seq {newest}")
    return report


def check_anchors(report: ChainReport, anchors: Iterable[Checkpoint], checkpoints: list[Checkpoint],
                  verify_signature: SignatureCheck) -> ChainReport:
    """Every anchor must still be in the record: same seq, same hash, same checkpoint (no rollback past it)."""
    if not report.ok:
        return report
    stored = {cp.seq: cp for cp in checkpoints}
    agreed = 0  # the newest anchored seq found intact so far
    for a in sorted(anchors, key=lambda c: c.seq):
        if not checkpoint_is_valid(a, verify_signature):
            return _broken(report, a.seq, ChainProblem.BAD_CHECKPOINT,
                           f"the anchor for seq {a.seq} has an invalid signature")
        if a.seq > report.last_seq:
            return _broken(report, report.last_seq + 1, ChainProblem.ROLLED_BACK,
                           f"an anchor witnessed the record at seq {a.seq} (signed {a.at.isoformat()}), "
                           f"but it now ends at seq {report.last_seq}")
        cp = stored.get(a.seq)
        if cp is None:
            return _broken(report, a.seq, ChainProblem.ROLLED_BACK,
                           f"the checkpoint at seq {a.seq} that an anchor witnessed is gone from the database")
        if cp.hash != a.hash:
            return _broken(report, agreed + 1, ChainProblem.REWRITTEN,
                           f"records {agreed + 1}..{a.seq} differ from the anchor witnessed at seq {a.seq} "
                           f"(signed {a.at.isoformat()}); they were rewritten and re-signed")
        agreed = a.seq
    return report
