"""load_manifest: every problem is ManifestInvalid with path, line and message, never a traceback."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from facegate.errors import ManifestInvalid
from facegate.governance.loader import format_path, line_for, line_index, load_manifest


def _yaml(data: dict[str, Any]) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def _errors(text: str) -> list[dict[str, Any]]:
    with pytest.raises(ManifestInvalid) as exc:
        load_manifest(text, "test.yaml")
    assert exc.value.code == "manifest_invalid" and exc.value.status == 422
    errors = exc.value.detail["errors"]
    assert isinstance(errors, list) and errors
    return errors


def _line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def test_loads_valid_yaml(data_for: Any) -> None:
    m = load_manifest(_yaml(data_for({})), "ok.yaml")
    assert m.id == "test-front-desk"


def test_forever_retention_points_at_the_line(data_for: Any) -> None:
    text = _yaml(data_for({"retention.days": "forever"}))
    [err] = _errors(text)
    assert err["path"] == "retention.days"
    assert err["line"] == _line_of(text, "days: forever")
    assert "concrete number of days" in err["message"]


def test_unknown_key_reports_its_own_line(data_for: Any) -> None:
    text = _yaml(data_for({"storage.cloud_bucket": "x"}))
    [err] = _errors(text)
    assert err == {"path": "storage.cloud_bucket", "line": _line_of(text, "cloud_bucket"),
                   "message": "unknown key 'cloud_bucket'"}


def test_missing_field_points_at_parent(data_for: Any, delete: object) -> None:
    text = _yaml(data_for({"notice.rights_contact": delete}))
    [err] = _errors(text)
    assert err["path"] == "notice.rights_contact"
    assert err["line"] == _line_of(text, "notice:")
    assert err["message"] == "required field is missing"


def test_wrong_type_in_list_item(data_for: Any) -> None:
    text = _yaml(data_for({"purposes.0.code": "Spying on people!"}))
    [err] = _errors(text)
    assert err["path"] == "purposes[0].code"
    assert err["line"] == _line_of(text, "code: Spying on people!")


def test_several_errors_are_all_reported(data_for: Any) -> None:
    text = _yaml(data_for({"retention.days": "forever", "method.mode": "1:2", "expected_people": -1}))
    paths = {e["path"] for e in _errors(text)}
    assert paths == {"retention.days", "method.mode", "expected_people"}


def test_malformed_yaml_has_line() -> None:
    [err] = _errors("id: x\nname: [unclosed\nprocessor: {}\n")
    assert err["path"] == ""
    assert err["message"].startswith("malformed YAML")
    assert isinstance(err["line"], int)


@pytest.mark.parametrize("text", ["", "- a\n- b\n", "just text\n"])
def test_non_mapping_documents(text: str) -> None:
    [err] = _errors(text)
    assert "mapping" in err["message"]


def test_duplicate_keys_are_rejected(data_for: Any) -> None:
    text = _yaml(data_for({})) + "expected_people: 5\n"
    [err] = _errors(text)
    assert err["path"] == "expected_people" and err["message"] == "duplicate key"


def test_error_message_names_source_and_first_problem(data_for: Any) -> None:
    with pytest.raises(ManifestInvalid) as exc:
        load_manifest(_yaml(data_for({"retention.days": "forever"})), "gym.yaml")
    assert exc.value.message_en.startswith("gym.yaml: invalid manifest: retention.days (line")
    assert exc.value.detail["source"] == "gym.yaml"


def test_format_path() -> None:
    assert format_path(("purposes", 0, "code")) == "purposes[0].code"
    assert format_path(("a", "b")) == "a.b"
    assert format_path(()) == ""


def test_line_for_falls_back_to_ancestors() -> None:
    index = line_index("a:\n  b:\n    - x: 1\n      y: 2\n")
    assert index["a.b[0].y"] == 4
    assert line_for(index, "a.b[0].z") == 3
    assert line_for(index, "a.missing") == 1
    assert line_for(index, "nowhere") == 1
    assert line_index("{{{") == {}


def test_examples_load_or_fail_cleanly(examples_dir: Path) -> None:
    for path in sorted(examples_dir.glob("*.yaml")):
        try:
            load_manifest(path.read_text(encoding="utf-8"), path.name)
        except ManifestInvalid as exc:
            assert exc.detail["errors"]


def test_aliases_are_refused_before_expansion() -> None:
    bomb = 'a: &a ["x","x"]\nb: &b [*a,*a]\nc: &c [*b,*b]\nid: *c\n'
    [err] = _errors(bomb)
    assert "aliases" in err["message"] and err["line"] == 2


def test_oversized_manifest_is_refused() -> None:
    [err] = _errors("id: x\n" + "# padding\n" * 30_000)
    assert "larger than" in err["message"]


@pytest.mark.parametrize("text", ["impact_assessment: {date: 2025-13-45}\n", "a: " + "[" * 2000 + "]" * 2000])
def test_bad_values_never_escape_as_tracebacks(text: str) -> None:
    [err] = _errors(text)
    assert err["message"].startswith(("malformed YAML", "YAML is nested deeper"))
