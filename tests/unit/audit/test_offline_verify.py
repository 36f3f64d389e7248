"""Export the chain, verify it offline, and catch tampering with the exported file (M-9.3, M-14.2)."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from facegate.adapters.keys.signing import CheckpointSigner
from facegate.domain.audit import GENESIS, AuditEvent, link
from facegate.domain.chain import make_checkpoint
from facegate.domain.chain_export import ExportHeader, export_lines, normalize_event, parse_line
from facegate.offline_verify import BROKEN, OK, UNREADABLE, main, verify_file

T0 = datetime(2026, 3, 1, 8, 0, tzinfo=timezone.utc)  # same start as the conftest kit


def _export(kit, path: Path, n: int = 12, *, from_seq: int = 1, every: int = 5, recs=None) -> list[str]:  # type: ignore[no-untyped-def]
    recs = recs or kit.chain(n)
    # Like the service: the first record always signed, then every `every` records.
    cps = kit.signed(recs, {1} | {r.seq for r in recs if r.seq % every == 0})
    part = [r for r in recs if r.seq >= from_seq]
    anchor = part[0].prev_hash
    header = ExportHeader(kit.algorithm, from_seq, part[-1].seq, anchor, T0 + timedelta(days=1),
                          {kit.signer.key_id: kit.signer.public_key_pem()})
    lines = list(export_lines(header, part, cps))
    path.write_text("".join(lines), encoding="utf-8")
    return lines


def _status(path: Path, *pins: str) -> tuple[int, str]:
    return verify_file(path, list(pins))


@pytest.mark.parametrize("which", ["kit", "sm3_kit"])
def test_round_trip_is_ok(request, tmp_path: Path, which: str, capsys) -> None:  # type: ignore[no-untyped-def]
    k = request.getfixturevalue(which)
    f = tmp_path / "chain.jsonl"
    _export(k, f, 12)
    assert main([str(f)]) == OK
    out = capsys.readouterr().out
    assert out.startswith(f"ok: 12 records, seq 1..12, {k.algorithm}") and k.signer.key_id in out
    assert "11..12 are not covered" in out


def test_export_lines_parse_back_to_the_stored_records(kit) -> None:  # type: ignore[no-untyped-def]
    recs = kit.chain(3)
    lines = list(export_lines(ExportHeader("sha256", 1, 3, GENESIS, T0), recs, []))
    assert [parse_line(line) for line in lines[1:]] == recs
    assert isinstance(parse_line(lines[0]), ExportHeader)


def test_normalized_detail_survives_a_json_round_trip(kit) -> None:  # type: ignore[no-untyped-def]
    ev = normalize_event(kit.event(1, detail={"pair": (1, 2), "when": T0}))
    recs = kit.chain(1, events=[ev])
    line = list(export_lines(ExportHeader("sha256", 1, 1, GENESIS, T0), recs, []))[1]
    back = parse_line(line)
    assert back == recs[0] and link(GENESIS, 1, back.event, kit.h) == recs[0].hash  # type: ignore[union-attr]


def test_partial_range_from_an_archived_anchor(kit, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    f = tmp_path / "part.jsonl"
    _export(kit, f, 20, from_seq=11)  # the checkpoint at seq 10 proves the anchor
    status, msg = _status(f)
    assert status == OK and "seq 11..20" in msg and "not covered" not in msg


def test_module_runs_as_a_script(kit, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    f = tmp_path / "chain.jsonl"
    _export(kit, f, 6)
    run = subprocess.run([sys.executable, "-m", "facegate.offline_verify", str(f)], capture_output=True, text=True)
    assert run.returncode == OK, run.stderr
    lines = f.read_text().splitlines()
    del lines[3]
    f.write_text("\n".join(lines) + "\n")
    run = subprocess.run([sys.executable, "-m", "facegate.offline_verify", str(f)], capture_output=True, text=True)
    assert run.returncode == BROKEN and "BROKEN at seq 3: deleted" in run.stdout


# --- tampering with the file ---------------------------------------------------------------------

@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_changed_byte_in_an_event_line_is_caught(kit, tmp_path: Path, data: st.DataObject) -> None:  # type: ignore[no-untyped-def]
    f = tmp_path / "t.jsonl"
    lines = _export(kit, f, 8)
    i = data.draw(st.integers(1, 8))  # event lines are 1..8, seq i
    raw = bytearray(lines[i].encode())
    pos = data.draw(st.integers(0, len(raw) - 2))  # not the newline
    raw[pos] = data.draw(st.integers(0x20, 0x7E).filter(lambda b: b != raw[pos]))
    lines[i] = raw.decode("utf-8", errors="replace")
    f.write_text("".join(lines), encoding="utf-8")
    status, msg = _status(f)
    assert status in (BROKEN, UNREADABLE), msg
    if status == BROKEN:
        seq = int(msg.split("BROKEN at seq ")[1].split(":")[0])
        assert seq == i, msg


def test_dropped_swapped_inserted_and_truncated_lines(kit, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    f = tmp_path / "t.jsonl"
    base = _export(kit, f, 12)
    cases = {
        "deleted": (base[:4] + base[5:], "BROKEN at seq 4: deleted"),
        "swapped": (base[:3] + [base[6], base[4], base[5], base[3]] + base[7:], "BROKEN at seq 3: reordered"),
        "inserted": (base[:6] + [base[5]] + base[6:], "BROKEN at seq 5: inserted"),
        # cutting the tail with its checkpoints still contradicts the header range
        "truncated": (base[:9] + base[13:], "BROKEN at seq 9: truncated"),
        # cutting the checkpoints too leaves records the policy had signed, without a checkpoint
        "truncated with its checkpoints": (base[:9], "BROKEN at seq 1: checkpoint_missing"),
    }
    for name, (lines, expected) in cases.items():
        f.write_text("".join(lines))
        status, msg = _status(f)
        assert (status, msg.startswith(expected)) == (BROKEN, True), (name, msg)


def test_truncation_caught_by_checkpoint_even_with_an_edited_header(kit, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    f = tmp_path / "t.jsonl"
    base = _export(kit, f, 12)
    header = json.loads(base[0])
    header["range"]["to_seq"] = 8
    f.write_text(json.dumps(header) + "\n" + "".join(base[1:9] + base[13:]))
    status, msg = _status(f)
    assert status == BROKEN and msg.startswith("BROKEN at seq 9: truncated")


def test_edited_checkpoint_and_anchor_and_algorithm(kit, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    f = tmp_path / "t.jsonl"
    base = _export(kit, f, 12)
    cp = json.loads(base[14])  # the checkpoint at seq 5
    cp["hash"] = "0" * 64
    f.write_text("".join(base[:14]) + json.dumps(cp) + "\n" + "".join(base[15:]))
    assert _status(f)[1].startswith("BROKEN at seq 5: bad_checkpoint")
    for field, value, expected in (("algorithm", "sm3", "BROKEN at seq 1"), ("anchor", {"seq": 0, "prev_hash": "1" * 64}, "BROKEN at seq 1: anchor")):
        header = json.loads(base[0])
        header[field] = value
        f.write_text(json.dumps(header) + "\n" + "".join(base[1:]))
        assert _status(f)[1].startswith(expected), field


def test_resigned_rewrite_passes_only_without_a_pinned_key(kit, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """An intruder who rewrites everything and signs with their own key fools only an unpinned check."""
    f = tmp_path / "t.jsonl"
    _export(kit, f, 6)
    intruder = CheckpointSigner(tmp_path / "intruder")
    events = [kit.event(s, actor="intruder") for s in range(1, 7)]
    forged = kit.chain(6, events=events)
    first = make_checkpoint(1, forged[0].hash, T0, intruder.sign, intruder.key_id)
    cps = [first, make_checkpoint(6, forged[-1].hash, T0, intruder.sign, intruder.key_id, (1, first.hash))]
    header = ExportHeader("sha256", 1, 6, GENESIS, T0, {intruder.key_id: intruder.public_key_pem()})
    f.write_text("".join(export_lines(header, forged, cps)))
    assert _status(f)[0] == OK
    pin = tmp_path / "trusted.pem"
    pin.write_text(kit.signer.public_key_pem())
    assert main([str(f), "--public-key", str(pin)]) == BROKEN


@pytest.mark.parametrize("content", ["", "not json\n", '{"type":"event"}\n', '[1,2]\n'])
def test_unreadable_files_exit_2(tmp_path: Path, content: str) -> None:
    f = tmp_path / "bad.jsonl"
    f.write_text(content)
    assert main([str(f)]) == UNREADABLE


def test_missing_file_and_header_not_first(kit, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert main([str(tmp_path / "nope.jsonl")]) == UNREADABLE
    f = tmp_path / "t.jsonl"
    base = _export(kit, f, 3)
    f.write_text("".join([base[1], base[0]] + base[2:]))
    assert main([str(f)]) == UNREADABLE
    assert main([str(f), "--public-key", str(tmp_path / "missing.pem")]) == UNREADABLE


def test_events_are_rebuilt_with_the_lead_canonical_form(kit) -> None:  # type: ignore[no-untyped-def]
    ev = AuditEvent("consent_given", T0, deployment_id=None, detail={"中文": "是", "n": 1.5})
    recs = kit.chain(1, events=[ev])
    line = list(export_lines(ExportHeader("sha256", 1, 1, GENESIS, T0), recs, []))[1]
    assert "中文" in line and parse_line(line) == recs[0]


def test_removed_checkpoint_lines_are_caught(kit, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Checkpoints name the one before them, and the first record is always signed (issue 11, item 5)."""
    f = tmp_path / "t.jsonl"
    base = _export(kit, f, 12)  # checkpoints at 1, 5, 10 are lines 13, 14, 15
    f.write_text("".join(base[:14] + base[15:]))
    status, msg = _status(f)
    assert status == BROKEN and "checkpoint_missing" in msg and "seq 5" in msg, msg
    f.write_text("".join(base[:13] + base[14:]))
    assert "checkpoint_missing" in _status(f)[1]
    header = json.loads(base[0])
    del header["checkpoint_policy"]  # deleting the policy from the header does not switch the check off
    f.write_text(json.dumps(header) + "\n" + "".join(base[1:13] + base[14:]))
    assert "checkpoint_missing" in _status(f)[1]
