"""Saving a chat turn: its chat's row, its line of the transcript and its Segment messages,
all or none.

On SQLite they are three statements in one transaction. On PostgreSQL they are one statement,
whose data-modifying WITH queries the server runs as one: it needs no BEGIN or COMMIT and
travels in one round trip. (Sent as separate statements in one round trip, through psycopg's
pipeline, they cost the turn's thread about twice the CPU.)

An answer is saved only if no other answer to its chat was saved since the chat was read: the
chat's row is updated only where it is still at the turn number that was read, and the
transcript line and the messages are written only with a row so updated.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import (
    CTE,
    Connection,
    Insert,
    String,
    Text,
    bindparam,
    column,
    func,
    insert,
    select,
    update,
    values,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.types import TypeEngine

from segflow.delivery.outbox import QUEUED_COLUMNS, Outbox
from segflow.store import Database
from segflow.store.db import Statement
from segflow.store.tables import chat_sessions, chat_turns, outbox

Row = tuple[Any, ...]

# The chat's row: all its columns when a chat starts; these when an answer is saved.
CHANGED_COLUMNS = ("state", "anonymous_id", "user_id", "status", "updated_at")


class TurnSaving:
    """How chat turns are saved on one database, each on a `turn_connection`.

    On SQLite the statements run in one transaction, which holds the database's write lock
    from its BEGIN, so that an answer's check and its writes see no other answer in between.
    On PostgreSQL a turn's statement is written once per number of messages up to
    ROWS_AS_VALUES, and once for all larger numbers."""

    def __init__(self, database: Database, outbox: Outbox) -> None:
        self._database = database
        self._outbox = outbox
        self._one_statement = database.is_postgresql
        # SQLite: the statements of a transaction.
        self._new_chat = Statement(_new_chat(), database)
        self._answered = Statement(_answered(), database)
        self._transcript = Statement(_transcript_line(), database)
        # PostgreSQL: the statements of a start and of an answer, by shape (see `_shape`).
        self._starts: dict[int, _Written] = {}
        self._answers: dict[int, _Written] = {}

    def start(
        self,
        connection: Connection,
        chat: Mapping[str, Any],
        transcript: Mapping[str, Any],
        queued: Sequence[Row],
    ) -> None:
        """Saves a new chat: its row (every column of chat_sessions), its first line of the
        transcript (every column of chat_turns) and its messages (rows of `queued_rows`)."""
        if self._one_statement:
            shape = _shape(queued)
            if (written := self._starts.get(shape)) is None:
                written = self._starts[shape] = self._start_statement(shape)
            written.run(connection, {**chat, **transcript}, queued)
            return
        with connection.begin():
            self._new_chat.run(connection, **chat)
            self._write(connection, transcript, queued)

    def answer(
        self,
        connection: Connection,
        chat_id: str,
        turns: int,
        changed: Mapping[str, Any],
        transcript: Mapping[str, Any],
        queued: Sequence[Row],
    ) -> bool:
        """Saves an answer's turn: the chat's `changed` columns (CHANGED_COLUMNS) and its
        number of turns, one more than the `turns` it was read with, its line of the transcript
        and its messages. Returns False, saving nothing, when the chat's number of turns is no
        longer `turns`: another answer was saved meanwhile."""
        counted = {"chat_id": chat_id, "turns": turns, "next_turns": turns + 1}
        if self._one_statement:
            shape = _shape(queued)
            if (written := self._answers.get(shape)) is None:
                written = self._answers[shape] = self._answer_statement(shape)
            return written.run(connection, {**counted, **changed, **transcript}, queued) == 1
        with connection.begin():
            if self._answered.run(connection, **counted, **changed) != 1:
                return False
            self._write(connection, transcript, queued)
        return True

    def _write(
        self, connection: Connection, transcript: Mapping[str, Any], queued: Sequence[Row]
    ) -> None:
        if queued:
            self._outbox.insert_rows(connection, queued)
        self._transcript.run(connection, **transcript)

    def _start_statement(self, shape: int) -> _Written:
        chat = _new_chat().cte("chat")
        ctes = [chat, _queued(shape, None)] if shape else [chat]
        return _Written(_transcript_line().add_cte(*ctes), shape, self._database)

    def _answer_statement(self, shape: int) -> _Written:
        """Its transcript line is written, and its count of rows is 1, only when the chat's
        row was updated."""
        chat = _answered().returning(chat_sessions.c.id).cte("chat")
        typed = [bindparam(c.name, type_=c.type) for c in chat_turns.c]
        line = insert(chat_turns).from_select(
            [c.name for c in chat_turns.c], select(*typed).select_from(chat)
        )
        ctes = [chat, _queued(shape, chat)] if shape else [chat]
        return _Written(line.add_cte(*ctes), shape, self._database)


def _new_chat() -> Insert:
    return insert(chat_sessions).values({c.name: bindparam(c.name) for c in chat_sessions.c})


def _transcript_line() -> Insert:
    return insert(chat_turns).values({c.name: bindparam(c.name) for c in chat_turns.c})


def _answered() -> Any:
    changed: dict[str, Any] = {name: bindparam(name) for name in CHANGED_COLUMNS}
    return (
        update(chat_sessions)
        .where(
            chat_sessions.c.id == bindparam("chat_id"),
            chat_sessions.c.turns == bindparam("turns"),  # no other answer saved meanwhile
        )
        .values(changed | {"turns": bindparam("next_turns")})
    )


# A turn's messages, up to this many, are written as rows of values (8 values each); more, as
# one array per column: PostgreSQL takes at most 65,535 values in one statement, and the
# arrays cost the turn's thread more to send.
ROWS_AS_VALUES = 100
MANY = ROWS_AS_VALUES + 1  # the shape of the statement for more messages


def _shape(queued: Sequence[Row]) -> int:
    return min(len(queued), MANY)


def _queued(shape: int, updated: CTE | None) -> CTE:
    """The INSERT of a turn's outbox rows, only with the `updated` chat row if given."""
    columns = [outbox.c[name] for name in QUEUED_COLUMNS]
    if shape == MANY:
        arrays = (bindparam(f"{c.name}s", type_=ARRAY(_unbounded(c.type))) for c in columns)
        unnested = func.unnest(*arrays).table_valued(*QUEUED_COLUMNS)
        rows: Any = unnested.render_derived(name="queued_rows")
        chosen = select(*rows.c)
    else:
        rows = values(*(column(c.name, c.type) for c in columns), name="queued_rows").data(
            [tuple(bindparam(f"{c.name}_{i}", type_=c.type) for c in columns) for i in range(shape)]
        )
        chosen = select(rows)
    if updated is not None:
        chosen = chosen.select_from(updated)
    return insert(outbox).from_select(list(QUEUED_COLUMNS), chosen).cte("queued")


def _unbounded(type_: TypeEngine[Any]) -> TypeEngine[Any]:
    """A column's type for a cast that must not shorten a value (a cast to VARCHAR(16) would;
    the INSERT then refuses one that does not fit)."""
    return Text() if isinstance(type_, String) else type_


class _Written:
    """A turn's statement for a number of messages, and how their values are given to it."""

    def __init__(self, statement: Any, shape: int, database: Database) -> None:
        self._statement = Statement(statement, database)
        self._arrays = shape == MANY
        self._names = [tuple(f"{name}_{i}" for name in QUEUED_COLUMNS) for i in range(shape)]

    def run(self, connection: Connection, values: dict[str, Any], queued: Sequence[Row]) -> int:
        if self._arrays:
            columns = zip(*queued, strict=True)
            arrays = (f"{name}s" for name in QUEUED_COLUMNS)
            values.update(zip(arrays, map(list, columns), strict=True))
        else:
            for names, row in zip(self._names, queued, strict=True):
                values.update(zip(names, row, strict=True))
        return self._statement.run(connection, **values)
