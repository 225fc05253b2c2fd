"""One schema history for SQLite and PostgreSQL: the migrations build exactly the models."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from customhouse.storage.db import make_engine
from customhouse.storage.migrate import current_head, downgrade, upgrade
from customhouse.storage.registry import metadata

pytestmark = pytest.mark.integration


def test_migrated_schema_matches_the_models(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn)
            assert context.get_current_revision() == current_head()
            diff = compare_metadata(context, metadata())
        assert diff == [], diff
    finally:
        engine.dispose()


def test_downgrade_to_base_and_upgrade_again(database_url: str) -> None:
    downgrade(database_url, "base")
    upgrade(database_url)
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            assert MigrationContext.configure(conn).get_current_revision() == current_head()
    finally:
        engine.dispose()
