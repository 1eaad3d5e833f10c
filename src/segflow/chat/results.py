"""A flow's Results: its chats a page at a time (or all of them, for an export), one chat's
transcript and Segment messages.

Pages go newest first by (created_at, id) from a cursor, on the index
ix_chat_sessions_flow_id_created_at: the 1,000th page costs what the first does.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any

import orjson
from sqlalchemy import ColumnElement, Select, delete, func, select, tuple_

from segflow.chat.errors import ChatSessionNotFoundError
from segflow.chat.flows import Flows
from segflow.delivery import ChatMessage, Outbox
from segflow.errors import SegflowError
from segflow.flow import ChatStatus
from segflow.store import Database
from segflow.store.deleting import whole_within
from segflow.store.tables import chat_sessions, chat_turns, flow_versions
from segflow.store.tables import flows as saved_flows

PAGE_SIZE = 50
MAX_PAGE_SIZE = 500


class ResultsCursorError(SegflowError):
    def __init__(self, cursor: str) -> None:
        super().__init__(f'"{cursor}" is not a page of these Results: ask for the first page again')


@dataclass(frozen=True)
class ResultsFilter:
    """Which chats to list; each field left None lets every chat through."""

    status: ChatStatus | None = None
    started_from: float | None = None  # Unix seconds, included
    started_before: float | None = None  # Unix seconds, excluded
    answer_contains: str | None = None  # some answer of the chat holds this text (any case)


@dataclass(frozen=True)
class ChatResult:
    """One chat as its flow's Results show it."""

    id: str
    flow_version: int
    status: ChatStatus
    anonymous_id: str
    user_id: str | None
    variables: dict[str, Any]
    started_at: float
    last_activity_at: float
    turns: int
    answers: list[str] = field(default_factory=list)  # the visitor's, in order
    segment: list[ChatMessage] = field(default_factory=list)  # still in the outbox, in order


@dataclass(frozen=True)
class TranscriptTurn:
    turn: int  # 1 for the chat's start
    answer: str | None  # what the visitor answered to start this turn; None for the start
    messages: list[dict[str, Any]]  # what the bot said: {type, text, html} or {type, url}…
    at: float


@dataclass(frozen=True)
class ChatTranscript:
    chat: ChatResult
    turns: list[TranscriptTurn]


@dataclass(frozen=True)
class ResultsPage:
    chats: list[ChatResult]
    total: int | None  # chats that pass the filter, on every page; None when not counted
    next: str | None  # the cursor of the next page; None on the last one


class Results:
    """Reads what the chats of a flow did; written by `Chats`, turn by turn."""

    def __init__(self, database: Database, outbox: Outbox, flows: Flows) -> None:
        self._database = database
        self._outbox = outbox
        self._flows = flows

    def page(
        self,
        flow_id: str,
        chosen: ResultsFilter | None = None,
        *,
        after: str | None = None,
        size: int = PAGE_SIZE,
        counted: bool = True,
    ) -> ResultsPage:
        """The chats after the cursor `after` (from the first), newest first, and how many
        pass the filter unless not `counted`. Raises
        FlowNotFoundError, or ResultsCursorError for a cursor no page gave."""
        self._flows.get(flow_id)
        chosen = chosen or ResultsFilter()
        size = max(1, min(size, MAX_PAGE_SIZE))
        postgresql = self._database.is_postgresql
        query = _listed(flow_id, chosen, postgresql)
        if after is not None:
            query = query.where(_after(after))
        with self._database.engine.connect() as connection:
            rows = connection.execute(query.limit(size + 1)).all()
            total = (
                connection.execute(
                    select(func.count())
                    .select_from(chat_sessions)
                    .where(*_filter(flow_id, chosen, postgresql))
                ).scalar_one()
                if counted
                else None
            )
        chats = self._completed([_chat(row) for row in rows[:size]])
        next_cursor = _cursor(chats[-1]) if len(rows) > size else None
        return ResultsPage(chats, total, next_cursor)

    def transcript(self, flow_id: str, session_id: str) -> ChatTranscript:
        """One chat of the flow, turn by turn, with its Segment messages."""
        query = _listed(flow_id, ResultsFilter(), self._database.is_postgresql).where(
            chat_sessions.c.id == session_id
        )
        with self._database.engine.connect() as connection:
            row = connection.execute(query).first()
            if row is None:
                raise ChatSessionNotFoundError(session_id)
            turns = connection.execute(
                select(
                    chat_turns.c.turn, chat_turns.c.answer, chat_turns.c.messages, chat_turns.c.at
                )
                .where(chat_turns.c.chat_session_id == session_id)
                .order_by(chat_turns.c.turn)
            ).all()
        [chat] = self._completed([_chat(row)])
        return ChatTranscript(
            chat,
            [
                TranscriptTurn(turn, answer, orjson.loads(said), at)
                for turn, answer, said, at in turns
            ],
        )

    def variable_names(self, flow_id: str) -> list[str]:
        """The variables of every published version of the flow, in the order they appear
        (the versions come from the cache of published flows: they never change)."""
        with self._database.engine.connect() as connection:
            version_ids = (
                connection.execute(
                    select(flow_versions.c.id)
                    .where(flow_versions.c.flow_id == flow_id)
                    .order_by(flow_versions.c.version)
                )
                .scalars()
                .all()
            )
        versions = [self._flows.version(version_id) for version_id in version_ids]
        names = (variable.name for version in versions for variable in version.flow.variables)
        return list(dict.fromkeys(names))

    def batches(
        self, flow_id: str, chosen: ResultsFilter | None = None, *, size: int = MAX_PAGE_SIZE
    ) -> Iterator[list[ChatResult]]:
        """Every chat that passes the filter, newest first, `size` at a time (for exports)."""
        after: str | None = None
        while True:
            page = self.page(flow_id, chosen, after=after, size=size, counted=False)
            yield page.chats
            if page.next is None:
                return
            after = page.next

    def _completed(self, chats: list[ChatResult]) -> list[ChatResult]:
        """The chats with their answers and Segment messages, read in one query each."""
        if not chats:
            return chats
        ids = [chat.id for chat in chats]
        answers: dict[str, list[str]] = {}
        with self._database.engine.connect() as connection:
            rows = connection.execute(
                select(chat_turns.c.chat_session_id, chat_turns.c.answer)
                .where(chat_turns.c.chat_session_id.in_(ids), chat_turns.c.answer.is_not(None))
                .order_by(chat_turns.c.chat_session_id, chat_turns.c.turn)
            )
            for session_id, answer in rows:
                answers.setdefault(session_id, []).append(answer)
        segment: dict[str, list[ChatMessage]] = {}
        for message in self._outbox.of_chats(ids):
            segment.setdefault(message.chat_session_id, []).append(message)
        return [
            replace(chat, answers=answers.get(chat.id, []), segment=segment.get(chat.id, []))
            for chat in chats
        ]


def _filter(flow_id: str, chosen: ResultsFilter, postgresql: bool) -> list[ColumnElement[bool]]:
    conditions = [chat_sessions.c.flow_id == flow_id]
    if chosen.status is not None:
        conditions.append(chat_sessions.c.status == chosen.status.value)
    if chosen.started_from is not None:
        conditions.append(chat_sessions.c.created_at >= chosen.started_from)
    if chosen.started_before is not None:
        conditions.append(chat_sessions.c.created_at < chosen.started_before)
    if chosen.answer_contains:
        # The chats with such an answer, found with one scan of the transcripts (a correlated
        # EXISTS per chat costs ten times more). SQLite's LIKE ignores the case of ASCII letters.
        escaped = re.sub(r"([\\%_])", r"\\\1", chosen.answer_contains)
        pattern = f"%{escaped}%"
        answer = chat_turns.c.answer
        matches = (
            answer.ilike(pattern, escape="\\") if postgresql else answer.like(pattern, escape="\\")
        )
        conditions.append(
            chat_sessions.c.id.in_(select(chat_turns.c.chat_session_id).where(matches))
        )
    return conditions


def _listed(flow_id: str, chosen: ResultsFilter, postgresql: bool) -> Select[Any]:
    return (
        select(
            chat_sessions.c.id,
            flow_versions.c.version,
            chat_sessions.c.status,
            chat_sessions.c.anonymous_id,
            chat_sessions.c.user_id,
            chat_sessions.c.state,
            chat_sessions.c.created_at,
            chat_sessions.c.updated_at,
            chat_sessions.c.turns,
        )
        .join(flow_versions, chat_sessions.c.flow_version_id == flow_versions.c.id)
        .where(*_filter(flow_id, chosen, postgresql))
        .order_by(chat_sessions.c.created_at.desc(), chat_sessions.c.id.desc())
    )


def _chat(row: Any) -> ChatResult:
    session_id, version, status, anonymous_id, user_id, state, created, updated, turns = row
    return ChatResult(
        id=session_id,
        flow_version=version,
        status=ChatStatus(status),
        anonymous_id=anonymous_id,
        user_id=user_id,
        variables=orjson.loads(state).get("variables", {}),
        started_at=created,
        last_activity_at=updated,
        turns=turns,
    )


def _cursor(chat: ChatResult) -> str:
    return f"{chat.started_at!r}_{chat.id}"


def _after(cursor: str) -> ColumnElement[bool]:
    started, _, session_id = cursor.partition("_")
    try:
        started_at = float(started)
    except ValueError:
        raise ResultsCursorError(cursor) from None
    if not session_id:
        raise ResultsCursorError(cursor)
    return tuple_(chat_sessions.c.created_at, chat_sessions.c.id) < tuple_(started_at, session_id)


def delete_chats_before(database: Database, before: float, limit: int) -> int:
    """Deletes the oldest chats that started and last answered before `before` (Unix seconds),
    with their transcripts, about `limit` rows in one short transaction (a chat of more turns
    goes alone); returns how many chats it deleted. Their Segment messages stay in the outbox
    until delivered and past their own keeping time."""
    with database.engine.begin() as connection:
        flow_ids = (
            connection.execute(select(saved_flows.c.id).order_by(saved_flows.c.id)).scalars().all()
        )
        for flow_id in flow_ids:
            # Flow by flow, on the index the Results are listed by: no scan of every chat.
            oldest = connection.execute(
                select(chat_sessions.c.id, chat_sessions.c.turns)
                .where(
                    chat_sessions.c.flow_id == flow_id,
                    chat_sessions.c.created_at < before,
                    chat_sessions.c.updated_at < before,
                )
                .order_by(chat_sessions.c.created_at)
                .limit(limit)
            ).all()
            chosen = whole_within(oldest, limit)
            if chosen:
                # Their turns go with them (ON DELETE CASCADE, on the turns' primary key).
                deleted = connection.execute(
                    delete(chat_sessions).where(chat_sessions.c.id.in_(chosen))
                )
                return int(deleted.rowcount)
    return 0
