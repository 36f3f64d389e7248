"""Shared fixtures: real test photos, the real engine, and stores on SQLite and PostgreSQL."""

from __future__ import annotations

import os
import shutil
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from facegate.bootstrap import AppContext, build_context
from facegate.domain.model import Alternative, Deployment, DeploymentStatus, Mode, Processor, StorageLocality
from facegate.services.deployments import apply_deployment
from facegate.settings import Settings
from facegate.testing import FakeFaceEngine, FixedClock
from tests import needs

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

PG_ADMIN_URL = os.environ.get("FACEGATE_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REDIS_TEST_URL = os.environ.get("FACEGATE_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def worker_index() -> int:
    """0 in a plain run; n for pytest-xdist's worker gw<n> (`make test` runs the suite on several)."""
    return int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)


def redis_test_url(slot: int) -> str:
    """A Redis database of this test process's own, one per slot (0, 1 or 2), counted down from FACEGATE_TEST_REDIS_URL's.

    Some tests FLUSHDB theirs or count requests per client address, so no two xdist workers may share
    one: worker n takes databases base-3n-slot (15, 14, 13 for the first worker, 12, 11, 10 for the next).
    """
    parts = urlsplit(REDIS_TEST_URL)
    number = int(parts.path.strip("/") or 15) - 3 * worker_index() - slot
    if number < 0:
        raise RuntimeError(f"too many xdist workers for Redis's 16 databases below {REDIS_TEST_URL}")
    return urlunsplit(parts._replace(path=f"/{number}"))


@pytest.fixture(scope="session")
def face_images() -> dict[str, bytes]:
    """The face_recognition 1.3.0 sdist's test photos, fetched from PyPI into .cache/."""
    from fetch_test_images import fetch

    folder = fetch()
    return {p.name: p.read_bytes() for p in folder.iterdir()}


@pytest.fixture(scope="session")
def real_engine():  # type: ignore[no-untyped-def]
    from facegate.bootstrap import face_engine

    return face_engine(os.environ.get("FACEGATE_ENGINE", "auto"), str(ROOT / ".cache" / "models"))


def _pg_admin_run(sql: str) -> None:
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(sql))
    except OperationalError as exc:
        needs.unavailable(needs.POSTGRES, f"no PostgreSQL at {PG_ADMIN_URL}: {type(exc.orig).__name__}")
    finally:
        admin.dispose()


def _fresh_pg_database(template: str | None = None) -> tuple[str, str]:
    """A new database per test (a copy of ``template`` when given); no server is a skip here and a failure in CI."""
    name = "fg_" + uuid.uuid4().hex[:12]
    _pg_admin_run(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
    return name, PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name


def _drop_pg_database(name: str) -> None:
    _pg_admin_run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def _pg_migrated_template() -> Iterator[str]:
    """One database per test process brought to the newest schema by the real migrations (alembic), once.

    Each PostgreSQL store test starts from a copy of it: the same schema it would migrate to itself,
    without running every migration again per test (over a second each on a busy server).
    """
    from facegate.adapters.sql.engine import make_engine, upgrade

    name, url = _fresh_pg_database()
    engine = make_engine(url)
    try:
        upgrade(engine)
    finally:
        engine.dispose()  # CREATE DATABASE ... TEMPLATE needs it without connections
    yield name
    _drop_pg_database(name)


@pytest.fixture(scope="session")
def _sqlite_migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file at the newest schema, migrated once per test process; store tests start from a copy."""
    from facegate.adapters.sql.engine import make_engine, upgrade

    path = tmp_path_factory.mktemp("migrated") / "facegate.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()  # closes the last connection: SQLite folds the WAL into the file
    return path


@pytest.fixture
def pg_url() -> Iterator[str]:
    """An empty PostgreSQL database of this test's own."""
    name, url = _fresh_pg_database()
    yield url
    _drop_pg_database(name)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A store of this test's own at the newest schema, once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        shutil.copyfile(request.getfixturevalue("_sqlite_migrated_template"), tmp_path / "facegate.db")
        yield f"sqlite:///{tmp_path / 'facegate.db'}"
        return
    name, url = _fresh_pg_database(request.getfixturevalue("_pg_migrated_template"))
    yield url
    _drop_pg_database(name)


@pytest.fixture
def poppler() -> None:
    """poppler-utils' pdftotext and pdftoppm, which the PDF tests read their output with."""
    needs.command("pdftotext", "poppler-utils")
    needs.command("pdftoppm", "poppler-utils")


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock()


def make_settings(tmp_path: Path, database_url: str | None = None, **kw: object) -> Settings:
    return Settings(env="test", data_dir=tmp_path / "data", database_url=database_url, examples_dir=None, **kw)


@pytest.fixture
def fake_ctx(tmp_path: Path, database_url: str, clock: FixedClock) -> Iterator[AppContext]:
    """Real keys, fake face engine, the store once on SQLite and once on PostgreSQL: fast service tests."""
    ctx = build_context(make_settings(tmp_path, database_url), clock=clock, engine=FakeFaceEngine())
    yield ctx
    ctx.close()


@pytest.fixture
def real_ctx(tmp_path: Path, database_url: str, clock: FixedClock, real_engine) -> Iterator[AppContext]:  # type: ignore[no-untyped-def]
    ctx = build_context(make_settings(tmp_path, database_url), clock=clock, engine=real_engine)
    yield ctx
    ctx.close()


HOTEL = Processor("91310000MA1FL0XX0A", "Example Hotels Ltd", "privacy@example-hotels.cn", "91310000MA1FL0XX0A")


def sample_deployment(**overrides: object) -> Deployment:
    base: dict[str, object] = dict(
        id="hotel-frontdesk", processor_id=HOTEL.id, name="Hotel front desk check-in", name_zh="酒店前台入住核验",
        purposes=("identity_verification",), mode=Mode.VERIFY,
        alternatives=(Alternative("staff_check", "Staff checks your ID card", "前台工作人员核验身份证"),),
        storage_locality=StorageLocality.ON_DEVICE, retention_days=30, status=DeploymentStatus.ACTIVE,
        notice_version="n" * 64, scope_hash="s" * 64,
    )
    base.update(overrides)
    return Deployment(**base)  # type: ignore[arg-type]


def install_deployment(ctx: AppContext, **overrides: object) -> Deployment:
    return apply_deployment(ctx.services, HOTEL, sample_deployment(**overrides), [], has_blocking=False).deployment
