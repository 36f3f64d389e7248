"""SQLAlchemy store for SQLite and PostgreSQL, with Alembic migrations."""
