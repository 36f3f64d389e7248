"""Alembic environment: runs on the connection handed in by ``engine.upgrade``."""

from alembic import context
from sqlalchemy import Connection, create_engine

from facegate.adapters.sql.tables import metadata

config = context.config


def run() -> None:
    connection = config.attributes.get("connection")
    if connection is None:
        url = config.get_main_option("sqlalchemy.url")
        if url is None:
            raise RuntimeError("alembic needs a connection from engine.upgrade or sqlalchemy.url in its config")
        engine = create_engine(url)
        with engine.connect() as conn:
            _migrate(conn)
        return
    _migrate(connection)


def _migrate(connection: Connection) -> None:
    context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
    if connection.in_transaction():
        connection.commit()


run()
