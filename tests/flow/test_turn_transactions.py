"""A chat turn's writes: all saved or none, whether its COMMIT goes with its statements (a new
chat) or after a check (an answer), and its pooled connection goes back as it was taken."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import text

from segflow.store import Database
from segflow.store.db import Statement, sent_together, turn_connection


class Refused(Exception):
    """What a turn raises after its statements, as an answer that lost a race does."""


@pytest.fixture
def notes(database: Database) -> Iterator[Statement]:
    with database.engine.begin() as connection:
        connection.execute(text("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)"))
    yield Statement(text("INSERT INTO notes (id, body) VALUES (:id, :body)"), database)


def saved(database: Database) -> list[int]:
    with database.engine.connect() as connection:
        return [row[0] for row in connection.execute(text("SELECT id FROM notes ORDER BY id"))]


@pytest.mark.parametrize("commit", [True, False])
def test_a_turn_whose_statement_fails_saves_nothing(
    database: Database, notes: Statement, commit: bool
) -> None:
    error = database.engine.dialect.loaded_dbapi.IntegrityError
    with (
        pytest.raises(error),
        turn_connection(database) as connection,
        connection.begin(),
        sent_together(connection, commit=commit),
    ):
        notes.run(connection, id=1, body="first")
        notes.run(connection, id=1, body="the same ID again")

    assert saved(database) == []
    with (
        turn_connection(database) as connection,
        connection.begin(),
        sent_together(connection, commit=commit),
    ):
        notes.run(connection, id=2, body="the next turn")
    assert saved(database) == [2]


def test_a_turn_refused_after_its_statements_saves_nothing(
    database: Database, notes: Statement
) -> None:
    with pytest.raises(Refused), turn_connection(database) as connection, connection.begin():
        with sent_together(connection):
            notes.run(connection, id=1, body="sent")
        raise Refused

    assert saved(database) == []


def test_a_turn_reads_on_its_connection_and_gives_it_back_unchanged(
    database: Database, notes: Statement
) -> None:
    read = Statement(text("SELECT body FROM notes WHERE id = :id"), database)
    with turn_connection(database) as connection:
        assert read.first(connection, id=1) is None
        with connection.begin(), sent_together(connection):
            notes.run(connection, id=1, body="written after the read")
        assert read.first(connection, id=1) == ("written after the read",)

    # Whatever the pool hands out next runs its transactions as before: a rollback undoes.
    with database.engine.connect() as connection:
        connection.execute(text("INSERT INTO notes (id, body) VALUES (2, 'rolled back')"))
        connection.rollback()
    assert saved(database) == [1]
