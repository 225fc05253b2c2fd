"""Databases for integration tests: SQLite always, PostgreSQL when
CUSTOMHOUSE_TEST_POSTGRES_URL is set (CI sets it and requires it)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.pool import NullPool

from customhouse.access.models import SYSTEM
from customhouse.demo.users import load_demo
from customhouse.reference.snapshot import shipped_snapshot
from customhouse.services.context import Context, FixedClock
from customhouse.settings import Settings
from customhouse.storage.db import make_engine
from customhouse.storage.migrate import upgrade

POSTGRES_URL = os.environ.get("CUSTOMHOUSE_TEST_POSTGRES_URL")
BACKENDS = ["sqlite", "postgresql"]


def _postgres_schema_url(schema: str) -> str:
    assert POSTGRES_URL is not None
    sep = "&" if "?" in POSTGRES_URL else "?"
    return f"{POSTGRES_URL}{sep}options=-csearch_path%3D{schema}"


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, migrated database: a SQLite file, or a PostgreSQL schema of its own."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'customhouse.db'}"
        upgrade(url)
        yield url
        return
    if not POSTGRES_URL:
        if os.environ.get("CUSTOMHOUSE_REQUIRE_POSTGRES"):
            pytest.fail("CI requires PostgreSQL: CUSTOMHOUSE_TEST_POSTGRES_URL is not set")
        pytest.skip("CUSTOMHOUSE_TEST_POSTGRES_URL is not set")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    # No pooled connection may outlive its use: forked workers would inherit it.
    admin = make_engine(POSTGRES_URL, poolclass=NullPool)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    url = _postgres_schema_url(schema)
    try:
        upgrade(url)
        yield url
    finally:
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


NOW = datetime(2025, 6, 2, 9, 30, tzinfo=UTC)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
def ctx(database_url: str, clock: FixedClock) -> Iterator[Context]:
    """A service context on a fresh database with the demo register and users.

    Reference data comes from the shipped files (the same data ``reference load`` stores), so
    tests need not load 280,000 rows into every database.
    """
    context = Context.create(Settings(database_url=database_url), clock=clock)
    context.cached("reference.snapshot", shipped_snapshot)
    load_demo(context)
    yield context
    context.engine.dispose()


@pytest.fixture
def system() -> object:
    return SYSTEM
