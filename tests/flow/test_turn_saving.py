"""A chat turn's writes, on SQLite and PostgreSQL: its chat's row, its line of the transcript
and its Segment messages are saved all or none; an answer read before another answer was saved
saves nothing; the turn's pooled connection goes back to the pool as it was taken."""

from __future__ import annotations

import time
from typing import Any

import pytest
from sqlalchemy import insert, select, text
from sqlalchemy.exc import IntegrityError

from segflow.chat import Chats
from segflow.chat.saving import TurnSaving
from segflow.service import Segflow
from segflow.store.db import turn_connection
from segflow.store.tables import chat_sessions, chat_turns, outbox
from tests.flow.test_chat_service import lead_capture


@pytest.fixture
def saving(segflow: Segflow) -> TurnSaving:
    return TurnSaving(segflow.database, segflow.outbox)


@pytest.fixture
def version_id(chats: Chats) -> int:
    return chats.flows.published(lead_capture(chats)).id


@pytest.fixture
def chat_a(segflow: Segflow, saving: TurnSaving, version_id: int) -> str:
    """A chat started and saved, at its first turn, with no message."""
    with turn_connection(segflow.database) as connection:
        saving.start(connection, new_chat("chat-a", version_id), line("chat-a", 1), [])
    return "chat-a"


@pytest.fixture
def integrity_error(segflow: Segflow) -> type[Exception]:
    """What the database's driver raises for a row whose key is taken."""
    error: type[Exception] = segflow.database.engine.dialect.loaded_dbapi.IntegrityError
    return error


@pytest.fixture
def destination_id(segflow: Segflow) -> int:
    return segflow.destinations.resolve(None).id


def new_chat(chat_id: str, version_id: int) -> dict[str, Any]:
    now = time.time()
    return {
        "id": chat_id,
        "flow_version_id": version_id,
        "flow_id": "lead-capture",
        "state": "{}",
        "anonymous_id": f"anonymous-{chat_id}",
        "user_id": None,
        "visitor": None,
        "status": "active",
        "turns": 1,
        "created_at": now,
        "updated_at": now,
    }


def line(chat_id: str, turn: int, answer: str | None = None) -> dict[str, Any]:
    return {
        "chat_session_id": chat_id,
        "turn": turn,
        "answer": answer,
        "messages": '[{"type": "text"}]',
        "at": time.time(),
    }


def changed(name: str) -> dict[str, Any]:
    state = f'{{"variables": {{"name": "{name}"}}}}'
    return {
        "state": state,
        "anonymous_id": "anonymous",
        "user_id": None,
        "status": "active",
        "updated_at": time.time(),
    }


def messages(chat_id: str, destination_id: int, names: list[str]) -> list[tuple[Any, ...]]:
    now = time.time()
    return [
        (destination_id, name, "track", b'{"event": "x"}', now, "queued", 0, chat_id)
        for name in names
    ]


def answer_read_at_turn_1(
    saving: TurnSaving, connection: Any, name: str, destination_id: int, names: list[str]
) -> bool:
    """Saves the answer `name` to chat-a, read at its first turn, with messages named `names`."""
    return saving.answer(
        connection,
        "chat-a",
        1,
        changed(name),
        line("chat-a", 2, name),
        messages("chat-a", destination_id, names),
    )


def saved(segflow: Segflow, chat_id: str) -> tuple[Any, list[int], list[str]]:
    """The chat's state and turn count, its transcript's turn numbers, its queued messages' IDs
    in the order they were queued."""
    with segflow.database.engine.connect() as connection:
        chat = connection.execute(
            select(chat_sessions.c.state, chat_sessions.c.turns).where(
                chat_sessions.c.id == chat_id
            )
        ).first()
        turns = connection.execute(
            select(chat_turns.c.turn)
            .where(chat_turns.c.chat_session_id == chat_id)
            .order_by(chat_turns.c.turn)
        ).scalars()
        queued = connection.execute(
            select(outbox.c.message_id)
            .where(outbox.c.chat_session_id == chat_id)
            .order_by(outbox.c.id)
        ).scalars()
        return (tuple(chat) if chat else None), list(turns), list(queued)


def test_a_new_chat_is_saved_with_its_first_line_and_its_messages_in_order(
    segflow: Segflow, saving: TurnSaving, version_id: int, destination_id: int
) -> None:
    names = [f"message-{n}" for n in range(230)]
    with turn_connection(segflow.database) as connection:
        saving.start(
            connection,
            new_chat("chat-a", version_id),
            line("chat-a", 1),
            messages("chat-a", destination_id, names),
        )

    assert saved(segflow, "chat-a") == (("{}", 1), [1], names)


def test_a_new_chat_whose_line_cannot_be_written_saves_nothing(
    segflow: Segflow,
    saving: TurnSaving,
    version_id: int,
    destination_id: int,
    chat_a: str,
    integrity_error: type[Exception],
) -> None:
    with turn_connection(segflow.database) as connection, pytest.raises(integrity_error):
        saving.start(
            connection,
            new_chat("chat-b", version_id),
            line("chat-a", 1),  # chat-a's first line again
            messages("chat-b", destination_id, ["lost"]),
        )

    assert saved(segflow, "chat-b") == (None, [], [])
    assert saved(segflow, "chat-a") == (("{}", 1), [1], [])


# A turn of many messages is saved by another statement on PostgreSQL than one of a few.
@pytest.mark.parametrize("count", [2, 150])
def test_an_answer_is_saved_with_its_line_and_its_messages(
    segflow: Segflow, saving: TurnSaving, destination_id: int, chat_a: str, count: int
) -> None:
    names = [f"message-{n}" for n in range(count)]
    with turn_connection(segflow.database) as connection:
        answered = answer_read_at_turn_1(saving, connection, "Ada", destination_id, names)

    assert answered
    state = '{"variables": {"name": "Ada"}}'
    assert saved(segflow, "chat-a") == ((state, 2), [1, 2], names)


@pytest.mark.parametrize("count", [1, 150])
def test_an_answer_read_before_another_was_saved_saves_nothing(
    segflow: Segflow, saving: TurnSaving, destination_id: int, chat_a: str, count: int
) -> None:
    with turn_connection(segflow.database) as connection:
        first = answer_read_at_turn_1(saving, connection, "Grace", destination_id, ["from Grace"])
        from_ada = [f"from Ada {n}" for n in range(count)]
        second = answer_read_at_turn_1(saving, connection, "Ada", destination_id, from_ada)

    assert (first, second) == (True, False)
    state = '{"variables": {"name": "Grace"}}'
    assert saved(segflow, "chat-a") == ((state, 2), [1, 2], ["from Grace"])


def test_an_answer_whose_line_cannot_be_written_saves_nothing(
    segflow: Segflow,
    saving: TurnSaving,
    destination_id: int,
    chat_a: str,
    integrity_error: type[Exception],
) -> None:
    with segflow.database.engine.begin() as connection:
        connection.execute(insert(chat_turns).values(line("chat-a", 2)))

    with pytest.raises(integrity_error), turn_connection(segflow.database) as connection:
        answer_read_at_turn_1(saving, connection, "Ada", destination_id, ["lost"])

    assert saved(segflow, "chat-a") == (("{}", 1), [1, 2], [])


def test_a_turn_connection_goes_back_to_the_pool_as_it_was_taken(
    segflow: Segflow, saving: TurnSaving, version_id: int
) -> None:
    database = segflow.database
    with turn_connection(database) as connection:
        driver: Any = connection.connection.driver_connection
        saving.start(connection, new_chat("chat-a", version_id), line("chat-a", 1), [])

    # Whatever the pool hands out next runs its transactions as before: a rollback undoes.
    assert not getattr(driver, "autocommit", False)
    with database.engine.connect() as connection:
        connection.execute(text("DELETE FROM chat_turns"))
        connection.rollback()
    assert saved(segflow, "chat-a") == (("{}", 1), [1], [])


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_on_postgresql_a_rollback_keeps_the_statements_a_connection_prepared(
    segflow: Segflow, chat_a: str
) -> None:
    """psycopg prepares a statement run 5 times on a connection; the reads and errors that end
    in a rollback must not make every later turn on it parse and plan its statements again."""
    chat = select(chat_sessions.c.turns).where(chat_sessions.c.id == chat_a)
    prepared = text("SELECT count(*) FROM pg_prepared_statements")
    with segflow.database.engine.connect() as connection:
        for _ in range(6):
            assert connection.execute(chat).scalar_one() == 1
        connection.rollback()
        assert connection.execute(prepared).scalar_one() >= 1

        with pytest.raises(IntegrityError):  # the chat's first line is there
            connection.execute(insert(chat_turns).values(line(chat_a, 1)))
        connection.rollback()
        assert connection.execute(prepared).scalar_one() >= 1
        assert connection.execute(chat).scalar_one() == 1
