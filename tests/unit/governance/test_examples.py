"""Every example manifest meets the verdict and rule IDs in its `# expect:` header."""

from __future__ import annotations

from pathlib import Path

import pytest

from facegate.errors import ManifestInvalid
from facegate.governance.loader import load_manifest
from facegate.governance.rules import Severity, evaluate

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
FILES = sorted(EXAMPLES.glob("*.yaml"))


def _expectations(text: str) -> tuple[str, set[str], set[str]]:
    verdict, ids, warnings = "", set[str](), set[str]()
    for line in text.splitlines():
        if line.startswith("# expect:"):
            verdict, *rest = line.removeprefix("# expect:").split()
            ids = set(rest)
        elif line.startswith("# expect-warnings:"):
            warnings = set(line.removeprefix("# expect-warnings:").split())
    return verdict, ids, warnings


def test_there_are_enough_examples() -> None:
    assert len(FILES) >= 12
    verdicts = [_expectations(p.read_text(encoding="utf-8"))[0] for p in FILES]
    assert {"pass", "blocked", "invalid"} == set(verdicts)


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_example_meets_expectation(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    verdict, ids, warnings = _expectations(text)
    assert verdict in {"pass", "blocked", "invalid"}, f"{path.name} has no '# expect:' header"
    if verdict == "invalid":
        with pytest.raises(ManifestInvalid) as exc:
            load_manifest(text, path.name)
        errors = exc.value.detail["errors"]
        assert isinstance(errors, list)
        assert {e["path"] for e in errors} == ids
        assert all(isinstance(e["line"], int) for e in errors)
        return
    ev = evaluate(load_manifest(text, path.name))
    assert ev.verdict == verdict
    assert {f.rule_id for f in ev.of_severity(Severity.BLOCKING)} == ids
    assert warnings <= {f.rule_id for f in ev.of_severity(Severity.WARNING)}


def test_examples_have_bilingual_names_and_distinct_ids() -> None:
    ids = []
    for path in FILES:
        try:
            m = load_manifest(path.read_text(encoding="utf-8"), path.name)
        except ManifestInvalid:
            continue
        assert any("\u4e00" <= ch <= "\u9fff" for ch in m.name.zh) and m.name.en.isascii()
        ids.append(m.id)
    assert len(ids) == len(set(ids))
