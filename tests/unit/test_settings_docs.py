"""Every FACEGATE_* setting is explained, and docs/settings.md is the table generated from settings.py."""

from __future__ import annotations

from pathlib import Path

from facegate.settings import Settings, markdown_table

ROOT = Path(__file__).resolve().parents[2]


def test_every_setting_has_a_description() -> None:
    missing = [name for name, field in Settings.model_fields.items() if not (field.description or "").strip()]
    assert missing == [], f"add a description= to these settings in settings.py: {missing}"


def test_docs_settings_md_is_generated_from_settings_py() -> None:
    table = markdown_table()
    assert all(f"`FACEGATE_{name.upper()}`" in table for name in Settings.model_fields)
    assert (ROOT / "docs" / "settings.md").read_text(encoding="utf-8") == table, "run `make docs`"
