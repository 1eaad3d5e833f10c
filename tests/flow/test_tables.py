"""The migrations create exactly the tables the code describes, the chat tables among them."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from segflow.store import Database
from segflow.store.tables import metadata


def test_the_migrations_create_the_tables_the_code_uses(database: Database) -> None:
    with database.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), metadata)

    assert differences == []
