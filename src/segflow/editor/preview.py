"""Preview chats: the editor's chat with a flow's draft or published version.

They run on the flow engine like real chats and queue their Segment messages to the accounts
the flow names (the Events panel shows each one and its delivery). A preview is no chat session
of the flow: it is kept in a table of its own (the newest KEPT_SESSIONS), so that any API worker
serves its turns and its Events panel.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal, NamedTuple

import orjson
from sqlalchemy import Connection, bindparam, delete, insert, select, update

from segflow.blocks import BlockRegistry
from segflow.chat import (
    ChatSessionConflictError,
    Flows,
    NotFoundError,
    PublishedFlow,
    PublishedLinks,
)
from segflow.chat.ids import new_chat_id
from segflow.destinations import Destination
from segflow.editor.sent import SentMessage
from segflow.errors import DestinationError
from segflow.flow import (
    Flow,
    SessionState,
    Turn,
    TurnLog,
    continue_session,
    parse_flow,
    start_session,
)
from segflow.segment import SegmentMessage
from segflow.service import Segflow
from segflow.store.db import Statement
from segflow.store.tables import preview_chats
from segflow.web_requests import WebRequests

Source = Literal["draft", "published"]
KEPT_SESSIONS = 200


@dataclass(frozen=True)
class _Previewed:
    """The flow a preview runs, as its links see it: a published version, or the draft (ID 0,
    which no published version has)."""

    id: int
    flow_id: str
    flow: Flow


class PreviewNotFoundError(NotFoundError):
    def __init__(self, session_id: str) -> None:
        super().__init__(f'Preview chat "{session_id}" does not exist (any more): start a new one')


class PreviewConflictError(ChatSessionConflictError):
    """Two answers to the same preview chat were saved at once; the later one was not."""

    def __init__(self, session_id: str) -> None:
        super().__init__(session_id)
        self.args = (
            f'Preview chat "{session_id}" got another answer at the same time; this one was '
            "not saved (nothing was sent): send it again",
        )


@dataclass
class PreviewSession:
    id: str
    flow_id: str
    source: Source
    version: int | None  # the published version it runs; None for a draft
    flow: Flow
    state: SessionState
    links: PublishedLinks  # the published flows its links lead to


@dataclass(frozen=True)
class PreviewTurn:
    session: PreviewSession
    turn: Turn
    sent: list[SentMessage]  # the Segment messages this turn queued
    logs: list[TurnLog]

    def as_json(self) -> dict[str, Any]:
        session = self.session
        return {
            "sessionId": session.id,
            "flowId": session.flow_id,
            "source": session.source,
            "version": session.version,
            "status": self.turn.state.status.value,
            "variables": dict(self.turn.state.variables),
            "messages": [message.model_dump(mode="json") for message in self.turn.messages],
            "input": self.turn.input.model_dump(mode="json") if self.turn.input else None,
            "logs": [log.model_dump(mode="json") | {"text": str(log)} for log in self.logs],
            "segment": [item.as_json() for item in self.sent],
        }


class PreviewChats:
    """Preview chats kept in the database; each worker keeps only the drafts it parsed."""

    def __init__(self, segflow: Segflow, flows: Flows, registry: BlockRegistry) -> None:
        self._segflow = segflow
        self._flows = flows
        self._registry = registry
        # Drafts parsed by this worker, by preview chat: a draft preview's flow never changes.
        self._drafts: OrderedDict[str, Flow] = OrderedDict()
        self._lock = threading.Lock()
        self._web = WebRequests(segflow.settings.limits)  # HTTP request blocks' client
        self._rows = _PreviewStatements(segflow)

    def start(
        self, flow_id: str, source: Source, prefilled: Mapping[str, object] | None = None
    ) -> PreviewTurn:
        """A new preview chat on the flow's saved draft, or its latest published version;
        `prefilled` sets variables of the flow before it starts.

        Raises FlowError when the draft has problems, FlowNotFoundError when there is no
        such flow (or no published version).
        """
        flow, version, draft = self._flow(flow_id, source)
        chat_id = new_chat_id()
        links = PublishedLinks(self._flows, _Previewed(version.id if version else 0, flow_id, flow))
        turn = start_session(
            flow,
            prefilled=prefilled,
            chat_id=chat_id,
            limits=self._segflow.settings.limits,
            http=self._web,
            links=links,
        )
        number = version.version if version else None
        session = PreviewSession(chat_id, flow_id, source, number, flow, turn.state, links)
        routed, logs = self._route(turn)
        with self._segflow.database.engine.begin() as connection:
            sent = self._queue(chat_id, routed, connection)
            self._rows.insert.run(
                connection,
                id=chat_id,
                flow_id=flow_id,
                source=source,
                flow_version_id=version.id if version else None,
                draft=orjson.dumps(draft).decode() if draft is not None else None,
                state=turn.state.model_dump_json(),
                sent=_sent_json(sent),
                turns=1,
                created_at=time.time(),
            )
            connection.execute(self._rows.forget_oldest)
        if version is None:
            self._keep_draft(chat_id, flow)
        return PreviewTurn(session, turn, sent, logs)

    def answer(self, session_id: str, answer: str) -> PreviewTurn:
        """Raises PreviewNotFoundError, ChatEndedError when the chat is over, or
        PreviewConflictError when another answer to it was saved meanwhile."""
        row = self._row(session_id)
        session = self._session(row)
        turn = continue_session(
            session.flow,
            session.state,
            answer,
            limits=self._segflow.settings.limits,
            http=self._web,
            links=session.links,
        )
        routed, logs = self._route(turn)
        with self._segflow.database.engine.begin() as connection:
            sent = self._queue(session_id, routed, connection)
            saved = self._rows.update.run(
                connection,
                session_id=session_id,
                turns=row.turns,
                next_turns=row.turns + 1,
                state=turn.state.model_dump_json(),
                sent=_sent_json([*_sent(row.sent), *sent]),
            )
            if saved != 1:
                raise PreviewConflictError(session_id)  # rolls back: nothing is queued
        session.state = turn.state
        return PreviewTurn(session, turn, sent, logs)

    def sent(self, session_id: str) -> list[SentMessage]:
        """Every Segment message the chat queued so far, in order."""
        found = self._rows.select_sent.first(id=session_id)
        if found is None:
            raise PreviewNotFoundError(session_id)
        return _sent(found[0])

    def _row(self, session_id: str) -> _PreviewRow:
        found = self._rows.select.first(id=session_id)
        if found is None:
            raise PreviewNotFoundError(session_id)
        return _PreviewRow._make(found)

    def _session(self, row: _PreviewRow) -> PreviewSession:
        published = self._flows.version(row.flow_version_id) if row.flow_version_id else None
        flow = published.flow if published is not None else self._draft_of(row)
        return PreviewSession(
            row.id,
            row.flow_id,
            "published" if published is not None else "draft",
            published.version if published is not None else None,
            flow,
            SessionState.model_validate_json(row.state),
            PublishedLinks(
                self._flows, _Previewed(published.id if published else 0, row.flow_id, flow)
            ),
        )

    def _draft_of(self, row: _PreviewRow) -> Flow:
        with self._lock:
            if (parsed := self._drafts.get(row.id)) is not None:
                self._drafts.move_to_end(row.id)
                return parsed
        flow = self._parse(orjson.loads(row.draft or "{}"), row.flow_id)
        self._keep_draft(row.id, flow)
        return flow

    def _keep_draft(self, session_id: str, flow: Flow) -> None:
        with self._lock:
            self._drafts[session_id] = flow
            while len(self._drafts) > KEPT_SESSIONS:
                self._drafts.popitem(last=False)

    def _flow(
        self, flow_id: str, source: Source
    ) -> tuple[Flow, PublishedFlow | None, Mapping[str, Any] | None]:
        if source == "published":
            published = self._flows.published(flow_id)
            return published.flow, published, None
        draft = self._flows.get(flow_id).draft
        return self._parse(draft, flow_id), None, draft

    def _parse(self, draft: Mapping[str, Any], flow_id: str) -> Flow:
        accounts = [destination.name for destination in self._segflow.destinations.list()]
        return parse_flow(
            draft, registry=self._registry, destinations=accounts, source=f'Flow "{flow_id}"'
        )

    def _route(self, turn: Turn) -> tuple[list[_Routed], list[TurnLog]]:
        """The turn's Segment messages with their accounts, found before the turn's
        transaction (finding the default may write a row of its own); and the turn's logs,
        with those of the messages whose account is gone."""
        sent: list[_Routed] = []
        logs = list(turn.logs)
        for queued in turn.segment:
            try:
                target = self._segflow.destinations.resolve(queued.destination)
            except DestinationError as error:
                text = f"{error}; the {queued.message.type} message was not queued"
                logs.append(TurnLog(status="error", description=text))
                continue
            sent.append(_Routed(SentMessage(queued.message, target.name), target))
        return sent, logs

    def _queue(
        self, chat_id: str, routed: list[_Routed], connection: Connection
    ) -> list[SentMessage]:
        for item in routed:
            self._segflow.queue(
                item.sent.message, destination=item.account, connection=connection, chat_id=chat_id
            )
        return [item.sent for item in routed]


class _Routed(NamedTuple):
    sent: SentMessage
    account: Destination


class _PreviewRow(NamedTuple):
    """A preview_chats row, as `_PreviewStatements.select` reads it."""

    id: str
    flow_id: str
    source: str
    flow_version_id: int | None
    draft: str | None
    state: str
    sent: str
    turns: int


class _PreviewStatements:
    """The statements of a preview turn, compiled once (see `Statement`)."""

    def __init__(self, segflow: Segflow) -> None:
        database, table = segflow.database, preview_chats
        self.select = Statement(
            select(*(table.c[name] for name in _PreviewRow._fields)).where(
                table.c.id == bindparam("id")
            ),
            database,
        )
        self.select_sent = Statement(
            select(table.c.sent).where(table.c.id == bindparam("id")), database
        )
        self.insert = Statement(
            insert(table).values({column.name: bindparam(column.name) for column in table.c}),
            database,
        )
        self.update = Statement(
            update(table)
            .where(table.c.id == bindparam("session_id"), table.c.turns == bindparam("turns"))
            .values(
                state=bindparam("state"), sent=bindparam("sent"), turns=bindparam("next_turns")
            ),
            database,
        )
        newest = (
            select(table.c.created_at)
            .order_by(table.c.created_at.desc())
            .offset(KEPT_SESSIONS)
            .limit(1)
            .scalar_subquery()
        )
        self.forget_oldest = delete(table).where(table.c.created_at <= newest)


def _sent_json(sent: list[SentMessage]) -> str:
    return orjson.dumps(
        [
            {
                "type": item.message.type,
                "messageId": item.message.message_id,
                "destination": item.destination,
                "body": orjson.Fragment(item.message.payload),
            }
            for item in sent
        ]
    ).decode()


def _sent(saved: str) -> list[SentMessage]:
    return [
        SentMessage(
            SegmentMessage(
                type=item["type"],
                message_id=item["messageId"],
                payload=orjson.dumps(item["body"]),
            ),
            item["destination"],
        )
        for item in orjson.loads(saved)
    ]
