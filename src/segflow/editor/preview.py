"""Preview chats: the editor's chat with a flow's draft or published version.

They run on the flow engine like real chats and queue their Segment messages to the accounts
the flow names (the Events panel shows each one and its delivery), but their state lives in
memory only: a preview is no chat session of the flow, and ends with the process.
"""

from __future__ import annotations

import threading
import uuid
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from segflow.blocks import BlockRegistry
from segflow.chat import Flows, NotFoundError, PublishedFlow, PublishedLinks
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
from segflow.service import Segflow
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


@dataclass
class PreviewSession:
    id: str
    flow_id: str
    source: Source
    version: int | None  # the published version it runs; None for a draft
    flow: Flow
    state: SessionState
    links: PublishedLinks  # the published flows its links lead to
    sent: list[SentMessage] = field(default_factory=list)
    answering: threading.Lock = field(default_factory=threading.Lock, repr=False)


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
    def __init__(self, segflow: Segflow, flows: Flows, registry: BlockRegistry) -> None:
        self._segflow = segflow
        self._flows = flows
        self._registry = registry
        self._sessions: OrderedDict[str, PreviewSession] = OrderedDict()
        self._lock = threading.Lock()
        self._web = WebRequests(segflow.settings.limits)  # HTTP request blocks' client

    def start(
        self, flow_id: str, source: Source, prefilled: Mapping[str, object] | None = None
    ) -> PreviewTurn:
        """A new preview chat on the flow's saved draft, or its latest published version;
        `prefilled` sets variables of the flow before it starts.

        Raises FlowError when the draft has problems, FlowNotFoundError when there is no
        such flow (or no published version).
        """
        flow, version = self._flow(flow_id, source)
        chat_id = str(uuid.uuid4())
        links = PublishedLinks(self._flows, _Previewed(version.id if version else 0, flow_id, flow))
        turn = start_session(
            flow,
            prefilled=prefilled,
            chat_id=chat_id,
            limits=self._segflow.settings.limits,
            http=self._web,
            links=links,
        )
        session = PreviewSession(
            chat_id, flow_id, source, version.version if version else None, flow, turn.state, links
        )
        started = self._saved(session, turn)
        with self._lock:
            self._sessions[session.id] = session
            while len(self._sessions) > KEPT_SESSIONS:
                self._sessions.popitem(last=False)
        return started

    def answer(self, session_id: str, answer: str) -> PreviewTurn:
        """Raises PreviewNotFoundError, or ChatEndedError when the chat is over."""
        with self._lock:
            session = self._session(session_id)
        # One answer at a time per chat; other chats go on while this turn waits (on an HTTP
        # request, say).
        with session.answering:
            turn = continue_session(
                session.flow,
                session.state,
                answer,
                limits=self._segflow.settings.limits,
                http=self._web,
                links=session.links,
            )
            return self._saved(session, turn)

    def sent(self, session_id: str) -> list[SentMessage]:
        """Every Segment message the chat queued so far, in order."""
        with self._lock:
            return list(self._session(session_id).sent)

    def _session(self, session_id: str) -> PreviewSession:
        session = self._sessions.get(session_id)
        if session is None:
            raise PreviewNotFoundError(session_id)
        return session

    def _flow(self, flow_id: str, source: Source) -> tuple[Flow, PublishedFlow | None]:
        if source == "published":
            published = self._flows.published(flow_id)
            return published.flow, published
        accounts = [destination.name for destination in self._segflow.destinations.list()]
        draft = self._flows.get(flow_id).draft
        flow = parse_flow(
            draft, registry=self._registry, destinations=accounts, source=f'Flow "{flow_id}"'
        )
        return flow, None

    def _saved(self, session: PreviewSession, turn: Turn) -> PreviewTurn:
        """Queues the turn's Segment messages and keeps the chat's new state."""
        sent: list[SentMessage] = []
        logs = list(turn.logs)
        for queued in turn.segment:
            try:
                target = self._segflow.queue(queued.message, destination=queued.destination)
            except DestinationError as error:
                text = f"{error}; the {queued.message.type} message was not queued"
                logs.append(TurnLog(status="error", description=text))
                continue
            sent.append(SentMessage(queued.message, target.name))
        session.state = turn.state
        session.sent += sent
        return PreviewTurn(session, turn, sent, logs)
