"""Chats: start one on a flow's published version, answer it turn by turn, read it back.

Each turn is saved in one transaction with the Segment messages it produced (queued in the
outbox, marked with the chat) and its line of the transcript (the answer and the bot's
messages), so a crash never loses an event of a saved turn, nor sends one of an unsaved turn.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any, NamedTuple

import orjson
from sqlalchemy import Connection, bindparam, select

from segflow.blocks.web import HttpRequest, HttpResponse
from segflow.chat.errors import ChatSessionConflictError, ChatSessionNotFoundError
from segflow.chat.flows import Flows, PublishedLinks
from segflow.chat.ids import new_chat_id
from segflow.chat.recent import RecentChats
from segflow.chat.records import ChatSession, ChatTurn, PublishedFlow
from segflow.chat.saving import TurnSaving
from segflow.chat.visitor import Visitor
from segflow.delivery.outbox import queued_rows
from segflow.destinations import Destination
from segflow.errors import DestinationError
from segflow.flow import (
    AwaitedInput,
    ChatStatus,
    QueuedMessage,
    SessionState,
    Turn,
    TurnLog,
    awaited_input,
    continue_session,
    start_session,
)
from segflow.service import Segflow
from segflow.store import Database
from segflow.store.db import Statement, turn_connection
from segflow.store.tables import chat_sessions
from segflow.web_requests import WebRequests

log = logging.getLogger("segflow.chat")


class Chats:
    """Chats on published flows: the service the CLI and the HTTP API share."""

    def __init__(self, segflow: Segflow, flows: Flows | None = None) -> None:
        self._segflow = segflow
        self._database = segflow.database
        self.flows = flows or Flows(segflow)
        self._select = _select_chat(self._database)
        self._saving = TurnSaving(self._database, segflow.outbox)
        self._web = WebRequests(segflow.settings.limits)  # HTTP request blocks' client
        self._recent: RecentChats[_SessionRow] = RecentChats()

    @property
    def sends_ip(self) -> bool:
        """Whether chats send (and keep) their visitor's IP: the setting send_ip."""
        return self._segflow.settings.send_ip

    def start_chat(
        self,
        flow_id: str,
        prefilled: Mapping[str, object] | None = None,
        *,
        anonymous_id: str | None = None,
        user_id: str | None = None,
        visitor: Visitor | None = None,
        result_id: str | None = None,
    ) -> ChatTurn:
        """Starts a chat on the flow's latest published version and saves its first turn.

        `flow_id` may also be one of the flow's other IDs (e.g. a Typebot publicId).
        `prefilled` sets flow variables first (by name or alias); `anonymous_id` ties the chat
        to a visitor Segment already knows (e.g. analytics.js's anonymousId on the page); else
        a new one. `user_id` is the visitor's userId when the website knows it: the chat starts
        identified. `visitor` is what the page tells about the visitor, which every Segment
        message of the chat carries as its `context` (its IP only with the setting send_ip).
        `result_id`, the ID of an earlier chat of the same visitor on this flow, starts this
        one with that one's variables, anonymousId and userId (Typebot's "remember user");
        what is given now wins. An unknown one, or a chat of another flow, is ignored.
        """
        published = self.flows.published(flow_id)
        earlier = self._earlier_chat(result_id, published) if result_id else None
        if visitor is not None and not self.sends_ip:
            visitor = visitor.model_copy(update={"ip": None})  # neither sent nor stored
        context = visitor.segment_context() if visitor is not None else {}
        session_id = new_chat_id()
        turn = start_session(
            published.flow,
            prefilled=prefilled,
            anonymous_id=anonymous_id or (earlier.anonymous_id if earlier else None),
            user_id=user_id or (earlier.user_id if earlier else None),
            context=context,
            remembered=earlier.variables if earlier else None,
            chat_id=session_id,
            limits=self._segflow.settings.limits,
            http=self._web,
            links=PublishedLinks(self.flows, published),
        )
        routing = self._route(turn)
        now = time.time()
        chat = {
            "id": session_id,
            "flow_version_id": published.id,
            "flow_id": published.flow_id,
            "turns": 1,
            "created_at": now,
            "visitor": orjson.dumps(context).decode() if context else None,
            **_columns(turn.state, now),
        }
        with turn_connection(self._database) as connection:
            self._saving.start(
                connection,
                chat,
                _transcript(session_id, 1, None, turn, now),
                _queued(session_id, routing),
            )
        self._remember(_SessionRow._make(chat[name] for name in _SessionRow._fields))
        return self._turn(session_id, published, turn, routing, created_at=now, updated_at=now)

    def continue_chat(self, session_id: str, answer: str) -> ChatTurn:
        """Answers the input the chat waits on, runs the turn and saves it.

        Raises ChatSessionNotFoundError, ChatEndedError (the chat is over), or
        ChatSessionConflictError when another answer to it was saved meanwhile.
        """
        asked_at = time.time()
        remembered, trusted = self._recent.take(session_id)
        # One pooled connection reads the chat (unless remembered) and saves the turn.
        with turn_connection(self._database) as connection:
            if remembered is not None and trusted:
                try:
                    return self._answer(connection, remembered, answer, remembered_at=asked_at)
                except _ReadAgain as again:
                    row = again.row or self._row(session_id, connection)
            else:
                row = self._row(session_id, connection)
                if remembered is not None:
                    self._recent.found(stale=row != remembered)
            return self._answer(connection, row, answer)

    def get_session(self, session_id: str) -> ChatSession:
        row = self._row(session_id)
        published = self.flows.version(row.flow_version_id)
        state = _state(row)
        awaited = awaited_input(published.flow, state, PublishedLinks(self.flows, published))
        return _session(row.id, published, state, awaited, row.created_at, row.updated_at)

    # -- helpers ---------------------------------------------------------------------------

    def _answer(
        self,
        connection: Connection,
        row: _SessionRow,
        answer: str,
        *,
        remembered_at: float | None = None,
    ) -> ChatTurn:
        """Runs an answer's turn on the chat `row` and saves it in one transaction on
        `connection`. Raises ChatSessionConflictError, saving nothing, when another answer to
        the chat was saved since `row` was read.

        With `remembered_at`, `row` is the chat as this process remembers it, and the answer
        came at that time: _ReadAgain tells to run it again on the chat as read, when the turn
        would call a web service (it must not on a chat that may be stale), or when another
        answer was saved before this one came (the remembered row was stale).
        """
        published = self.flows.version(row.flow_version_id)
        turn = continue_session(
            published.flow,
            _state(row),
            answer,
            limits=self._segflow.settings.limits,
            http=self._web if remembered_at is None else _READ_FIRST,
            links=PublishedLinks(self.flows, published),
        )
        routing = self._route(turn)
        now = time.time()
        changed = _columns(turn.state, now)
        saved = self._saving.answer(
            connection,
            row.id,
            row.turns,
            changed,
            _transcript(row.id, row.turns + 1, answer, turn, now),
            _queued(row.id, routing),
        )
        if not saved and remembered_at is not None:
            current = self._row(row.id, connection)
            if current.updated_at < remembered_at:  # answered elsewhere before this answer
                self._recent.found(stale=True)
                raise _ReadAgain(current)
        if not saved:  # the chat changed since it was read: another answer won
            raise ChatSessionConflictError(row.id)  # nothing of this turn is kept
        if remembered_at is not None:
            self._recent.found(stale=False)
        self._remember(row._replace(turns=row.turns + 1, **changed))
        return self._turn(
            row.id, published, turn, routing, created_at=row.created_at, updated_at=now
        )

    def _remember(self, row: _SessionRow) -> None:
        # Its texts that may be long, and about 200 bytes for the rest (IDs, numbers, tuple).
        size = len(row.state) + len(row.visitor or "") + len(row.user_id or "") + 200
        self._recent.keep(row.id, row, size)

    def _row(self, session_id: str, connection: Connection | None = None) -> _SessionRow:
        row = self._select.first(connection, id=session_id)
        if row is None:
            raise ChatSessionNotFoundError(session_id)
        return _SessionRow._make(row)

    def _earlier_chat(self, result_id: str, published: PublishedFlow) -> SessionState | None:
        """The state of the earlier chat `result_id` on the same flow; else None, as Typebot
        starts afresh when it does not know the result."""
        row = self._select.first(id=result_id)
        if row is None:
            log.warning("resultId %r is no chat: the new chat starts afresh", result_id)
            return None
        earlier = _SessionRow._make(row)
        if self.flows.version(earlier.flow_version_id).flow_id != published.flow_id:
            log.warning(
                'resultId %r is a chat of another flow than "%s": the new chat starts afresh',
                result_id,
                published.flow_id,
            )
            return None
        return _state(earlier)

    def _route(self, turn: Turn) -> _Routing:
        """The Segment account of each message, found before the turn's transaction (finding
        the default may write a row of its own). A message whose account is gone is logged."""
        found: dict[str | None, Destination | DestinationError] = {}
        targets: list[tuple[Destination, QueuedMessage]] = []
        logs: list[TurnLog] = []
        for queued in turn.segment:
            if queued.destination not in found:
                try:
                    found[queued.destination] = self._segflow.destinations.resolve(
                        queued.destination
                    )
                except DestinationError as error:
                    found[queued.destination] = error
            target = found[queued.destination]
            if isinstance(target, DestinationError):
                logs.append(
                    TurnLog(
                        status="error",
                        description=f"{target}; the {queued.message.type} message was not queued",
                        group=queued.group,
                        block=queued.block,
                        field="Segment account",
                        flow=queued.flow,
                    )
                )
            else:
                targets.append((target, queued))
        return _Routing(targets, logs)

    @staticmethod
    def _turn(
        session_id: str,
        published: PublishedFlow,
        turn: Turn,
        routing: _Routing,
        *,
        created_at: float,
        updated_at: float,
    ) -> ChatTurn:
        if turn.state.status is ChatStatus.STOPPED and turn.logs:  # the operator hears of it
            log.warning('Chat %s on flow "%s": %s', session_id, published.flow_id, turn.logs[-1])
        return ChatTurn(
            session=_session(session_id, published, turn.state, turn.input, created_at, updated_at),
            messages=turn.messages,
            logs=[*turn.logs, *routing.logs],
            queued=[replace(queued, destination=target.name) for target, queued in routing.targets],
        )


class _SessionRow(NamedTuple):
    """A chat_sessions row, as `_SessionStatements.select` reads it."""

    id: str
    flow_version_id: int
    state: str
    anonymous_id: str
    user_id: str | None
    visitor: str | None  # the Segment context of the chat, as JSON
    status: str
    turns: int
    created_at: float
    updated_at: float


def _select_chat(database: Database) -> Statement:
    columns = [chat_sessions.c[name] for name in _SessionRow._fields]
    return Statement(select(*columns).where(chat_sessions.c.id == bindparam("id")), database)


class _ReadAgain(Exception):
    """An answer run on a remembered chat is to run again on the chat as read: `row`, if it
    was read already."""

    def __init__(self, row: _SessionRow | None) -> None:
        super().__init__("the chat is to be read again")
        self.row = row


class _ReadFirst:
    """The web client of a turn run on a remembered chat: the turn runs again on the chat as
    read before it calls a web service."""

    def send(self, request: HttpRequest) -> HttpResponse:
        raise _ReadAgain(None)


_READ_FIRST = _ReadFirst()


@dataclass(frozen=True)
class _Routing:
    """The Segment messages of a turn with the account each goes to, and the logs of those
    that could not be queued."""

    targets: list[tuple[Destination, QueuedMessage]]
    logs: list[TurnLog]


def _session(
    session_id: str,
    published: PublishedFlow,
    state: SessionState,
    awaited: AwaitedInput | None,
    created_at: float,
    updated_at: float,
) -> ChatSession:
    return ChatSession(
        id=session_id,
        flow_id=published.flow_id,
        flow_version=published.version,
        flow_published_at=published.published_at,
        status=state.status,
        anonymous_id=state.anonymous_id,
        user_id=state.user_id,
        variables=dict(state.variables),
        input=awaited,
        created_at=created_at,
        updated_at=updated_at,
    )


# What the state column keeps; the rest of the state has columns of its own.
_SAVED_STATE = {"variables", "waiting_for", "return_to", "flow_version", "links"}


def _columns(state: SessionState, now: float) -> dict[str, Any]:
    """The chat_sessions columns that hold a session's state (CHANGED_COLUMNS)."""
    return {
        "state": orjson.dumps(state.model_dump(mode="json", include=_SAVED_STATE)).decode(),
        "anonymous_id": state.anonymous_id,
        "user_id": state.user_id,
        "status": state.status.value,
        "updated_at": now,
    }


def _queued(session_id: str, routing: _Routing) -> list[tuple[Any, ...]]:
    """The outbox rows of the turn's messages, in the order the turn queued them."""
    return queued_rows(
        ((destination.id, queued.message) for destination, queued in routing.targets), session_id
    )


def _transcript(
    session_id: str, number: int, answer: str | None, turn: Turn, now: float
) -> dict[str, Any]:
    """The chat_turns row of a turn: what the visitor answered and what the bot said."""
    messages = [message.model_dump(mode="json") for message in turn.messages]
    return {
        "chat_session_id": session_id,
        "turn": number,
        "answer": answer,
        "messages": orjson.dumps(messages).decode(),
        "at": now,
    }


def _state(row: _SessionRow) -> SessionState:
    return SessionState.model_validate(
        {
            **orjson.loads(row.state),
            "anonymousId": row.anonymous_id,
            "userId": row.user_id,
            "context": orjson.loads(row.visitor) if row.visitor else {},
            "status": row.status,
            "chatId": row.id,
        }
    )
