"""Regenerate migration 0001 from tables.py (only while no release has shipped it)."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

from alembic import command

import facegate.adapters.sql

from facegate.adapters.sql.engine import MIGRATIONS, alembic_config

SEED = '''
    # One chain head row, so every writer locks the same row (see SqlTx.append_event).
    op.bulk_insert(
        sa.table("audit_head", sa.column("id", sa.Integer), sa.column("seq", sa.BigInteger),
                 sa.column("hash", sa.String), sa.column("checkpoint_seq", sa.BigInteger)),
        [{"id": 1, "seq": 0, "hash": "0" * 64, "checkpoint_seq": 0}],
    )
'''


def _import_all_tables() -> None:
    """Every tables*.py module adds to the one metadata; autogenerate must see them all."""
    import importlib

    folder = Path(facegate.adapters.sql.__file__).parent
    for path in sorted(folder.glob("tables*.py")):
        importlib.import_module(f"facegate.adapters.sql.{path.stem}")


def main() -> None:
    _import_all_tables()
    target = MIGRATIONS / "versions" / "0001_initial_schema.py"
    target.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        command.revision(alembic_config(f"sqlite:///{tmp}/x.db"), message="initial schema",
                         autogenerate=True, rev_id="0001")
    text = target.read_text()
    text = text.replace("import sqlalchemy as sa\n", "import sqlalchemy as sa\n\nimport facegate.adapters.sql.tables\n", 1)
    text = re.sub(r"Create Date: .*\n", "", text)
    text = text.replace("    # ### end Alembic commands ###\n", "    # ### end Alembic commands ###\n" + SEED, 1)
    target.write_text(text)


if __name__ == "__main__":
    main()
