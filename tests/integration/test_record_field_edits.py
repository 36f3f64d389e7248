"""Every stored field of a record, edited with SQL, fails `audit verify` at that record (M-9.3, M-14.2).

`audit verify` hashes the stored JSON text of ``reason_codes`` and ``detail`` directly
when it is in the canonical form the hash covers (issue 14), and decodes it only when
not (records written before that form, or edited since). These cases pin that neither
way lets an edit through, on SQLite and PostgreSQL, and that `audit verify` and the
offline verifier of an export agree.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from facegate.adapters.sql import record_stream
from facegate.bootstrap import AppContext, build_context
from facegate.domain.audit import AuditEvent, canonical_json
from facegate.domain.chain import ChainProblem
from facegate.offline_verify import verify_file
from facegate.services import audit
from facegate.testing import FakeFaceEngine, FixedClock
from tests.conftest import make_settings

DETAIL: dict[str, object] = {"purpose": "入住登记 check-in", "engine": "fake", "scores": [0.91, 0.5],
                             "nested": {"z": 1, "a": None, "b": True}, "note": 'quote " and \\ and \n'}


@pytest.fixture
def ctx(tmp_path: Path, database_url: str) -> Iterator[AppContext]:
    c = build_context(make_settings(tmp_path, database_url), clock=FixedClock(), engine=FakeFaceEngine())
    clock = c.services.clock
    assert isinstance(clock, FixedClock)
    for i in range(5):
        clock.advance(seconds=1)
        with c.store.transaction() as tx:
            tx.record.append(AuditEvent("verify", clock.now(), "k-test", "front-desk", f"ref-{i}", True,
                                        ("ok", "liveness_passed"), {**DETAIL, "i": i}))
    yield c
    c.close()


def _sql(ctx: AppContext, statement: str, **params: Any) -> None:
    with ctx.store.engine.begin() as conn:
        conn.execute(text(statement), params)


def _json_set(ctx: AppContext, column: str, value: str, seq: int = 3) -> None:
    """Store exactly ``value`` as the JSON text of ``column`` (PostgreSQL's json type keeps text verbatim)."""
    cast = "CAST(:v AS JSON)" if ctx.store.engine.dialect.name == "postgresql" else ":v"
    _sql(ctx, f"UPDATE audit_events SET {column} = {cast} WHERE seq = :s", v=value, s=seq)


def _stored(ctx: AppContext, column: str, seq: int = 3) -> Any:
    with ctx.store.engine.connect() as conn:
        return conn.execute(text(f"SELECT {column} FROM audit_events WHERE seq = :s"), {"s": seq}).scalar_one()


def _offline(ctx: AppContext, tmp_path: Path) -> tuple[int, str]:
    out = tmp_path / "export.jsonl"
    out.write_text("\n".join(audit.export_records(ctx.services, to_seq=5)) + "\n", encoding="utf-8")
    return verify_file(out)


EDITS = {
    "kind": "UPDATE audit_events SET kind = 'delete' WHERE seq = 3",
    "actor": "UPDATE audit_events SET actor = 'someone-else' WHERE seq = 3",
    "deployment_id": "UPDATE audit_events SET deployment_id = 'other-desk' WHERE seq = 3",
    "deployment_id null": "UPDATE audit_events SET deployment_id = NULL WHERE seq = 3",
    "subject_ref": "UPDATE audit_events SET subject_ref = 'ref-9' WHERE seq = 3",
    "subject_ref null": "UPDATE audit_events SET subject_ref = NULL WHERE seq = 3",
    "allowed false": "UPDATE audit_events SET allowed = false WHERE seq = 3",
    "allowed null": "UPDATE audit_events SET allowed = NULL WHERE seq = 3",
    "prev_hash": f"UPDATE audit_events SET prev_hash = '{'ab' * 32}' WHERE seq = 3",
    "hash": f"UPDATE audit_events SET hash = '{'cd' * 32}' WHERE seq = 3",
    "swapped with the next": "",
}


@pytest.mark.parametrize("name", EDITS)
def test_an_edited_column_fails_at_its_record(ctx: AppContext, name: str) -> None:
    if name == "swapped with the next":
        _sql(ctx, "UPDATE audit_events SET seq = -seq WHERE seq IN (3, 4)")  # the primary key is checked per row
        _sql(ctx, "UPDATE audit_events SET seq = CASE seq WHEN -3 THEN 4 ELSE 3 END WHERE seq IN (-3, -4)")
    else:
        _sql(ctx, EDITS[name])
    r = audit.verify_records(ctx.services)
    assert (r.ok, r.problem, r.first_broken_seq) == (False, ChainProblem.EDITED, 3), r


def test_an_edited_time_fails_at_its_record(ctx: AppContext) -> None:
    at = _stored(ctx, "at")
    later = (at if not isinstance(at, str) else __import__("datetime").datetime.fromisoformat(at)) + timedelta(
        microseconds=1)
    with ctx.store.engine.begin() as conn:
        conn.execute(text("UPDATE audit_events SET at = :a WHERE seq = 3"),
                     {"a": later.strftime("%Y-%m-%d %H:%M:%S.%f") if isinstance(at, str) else later})
    r = audit.verify_records(ctx.services)
    assert (r.ok, r.problem, r.first_broken_seq) == (False, ChainProblem.EDITED, 3), r


JSON_EDITS = {
    "a reason code added": ("reason_codes", '["ok","liveness_passed","manual_override"]'),
    "reason codes reordered": ("reason_codes", '["liveness_passed","ok"]'),
    "reason codes as an object with the same keys": ("reason_codes", '{"ok":1,"liveness_passed":2}'),
    "reason codes as a string": ("reason_codes", '"ok"'),
    "a detail value": ("detail", None),
    "a detail key added": ("detail", None),
    "detail emptied": ("detail", "{}"),
}


@pytest.mark.parametrize("name", JSON_EDITS)
def test_an_edited_json_field_fails_at_its_record(ctx: AppContext, name: str) -> None:
    column, value = JSON_EDITS[name]
    if value is None:
        detail = {**DETAIL, "i": 2}
        if name == "a detail value":
            detail["purpose"] = "入住登记 check-out"
        else:
            detail["extra"] = 1
        value = json.dumps(detail, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    _json_set(ctx, column, value)
    r = audit.verify_records(ctx.services)
    assert (r.ok, r.problem, r.first_broken_seq) == (False, ChainProblem.EDITED, 3), r


# SQLite only: PostgreSQL's boolean column holds only true, false and NULL, so the case cannot arise there.
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_sqlite_allowed_flag_other_than_0_or_1_fails(ctx: AppContext) -> None:
    _sql(ctx, "UPDATE audit_events SET allowed = 2 WHERE seq = 3")
    r = audit.verify_records(ctx.services)
    assert (r.ok, r.problem, r.first_broken_seq) == (False, ChainProblem.EDITED, 3), r


def test_deleted_and_replaced_rows_fail_at_their_record(ctx: AppContext) -> None:
    _sql(ctx, "DELETE FROM audit_events WHERE seq = 3")
    r = audit.verify_records(ctx.services)
    assert (r.ok, r.problem, r.first_broken_seq) == (False, ChainProblem.DELETED, 3), r


def test_a_changed_head_row_fails(ctx: AppContext) -> None:
    _sql(ctx, f"UPDATE audit_head SET hash = '{'ef' * 32}' WHERE id = 1")
    r = audit.verify_records(ctx.services)
    assert not r.ok and r.first_broken_seq is not None, r


def test_stored_json_written_before_the_canonical_form_still_verifies(ctx: AppContext, tmp_path: Path) -> None:
    """Records appended before issue 14 hold json.dumps' default text (spaces, insertion order, \\u escapes):
    the same values, so the same record. Verify decodes them, and agrees with the offline verifier."""
    for seq in (2, 3):
        _json_set(ctx, "detail", json.dumps({**DETAIL, "i": seq - 1}), seq)
        _json_set(ctx, "reason_codes", json.dumps(["ok", "liveness_passed"]), seq)
    assert _stored(ctx, "reason_codes", 3) in ('["ok", "liveness_passed"]', ["ok", "liveness_passed"])
    r = audit.verify_records(ctx.services)
    assert r.ok and r.checked == 5, r
    assert _offline(ctx, tmp_path)[0] == 0
    _json_set(ctx, "detail", json.dumps({**DETAIL, "i": 7}), 3)  # an edit in the old form is still an edit
    r = audit.verify_records(ctx.services)
    assert (r.ok, r.problem, r.first_broken_seq) == (False, ChainProblem.EDITED, 3), r


def test_online_and_offline_verification_agree_on_an_edit(ctx: AppContext, tmp_path: Path) -> None:
    _json_set(ctx, "detail", json.dumps({**DETAIL, "i": 2, "purpose": "x"}, sort_keys=True, separators=(",", ":")))
    online = audit.verify_records(ctx.services)
    status, message = _offline(ctx, tmp_path)
    assert (online.ok, online.first_broken_seq) == (False, 3)
    assert status == 1 and "BROKEN at seq 3" in message, message


def test_the_store_writes_the_text_the_hash_covers_and_verify_reads_it_as_is(
        ctx: AppContext, monkeypatch: pytest.MonkeyPatch) -> None:
    """What makes verify fast (issue 14): the stored JSON is canonical, so no row needs decoding."""
    as_text = "::text" if ctx.store.engine.dialect.name == "postgresql" else ""
    assert _stored(ctx, f"detail{as_text}") == canonical_json({**DETAIL, "i": 2})
    assert _stored(ctx, f"reason_codes{as_text}") == '["ok","liveness_passed"]'

    def no_decoding(*_: object, **__: object) -> object:
        raise AssertionError("a canonical row was decoded")

    monkeypatch.setattr(record_stream.json, "loads", no_decoding)
    r = audit.verify_records(ctx.services)
    assert r.ok and r.checked == 5, r
