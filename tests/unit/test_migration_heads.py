"""Start-up skips alembic when the database is at the head; the head is read from the scripts' text.

That reading must agree with alembic's own, or a node would skip a migration it needs.
"""

from __future__ import annotations

from alembic.script import ScriptDirectory

from facegate.adapters.sql.engine import alembic_config, script_heads


def test_the_heads_read_from_the_scripts_are_alembics_heads() -> None:
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    assert script_heads() == set(script.get_heads())
    assert len(script_heads()) == 1  # PROTOCOL: always exactly one head on main
