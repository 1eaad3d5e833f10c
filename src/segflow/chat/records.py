"""What the chat service gives back: saved flows, published versions, chats and their turns."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from segflow.blocks import BotMessage
from segflow.flow import AwaitedInput, ChatStatus, Flow, QueuedMessage, TurnLog


@dataclass(frozen=True)
class SavedFlow:
    id: str
    name: str
    draft: dict[str, Any]  # the document as last saved, checked only when published
    created_at: float
    updated_at: float
    published_version: int | None  # the latest version's number; None: never published
    revision: int  # of the draft: 1 when created, one more on every save
    source_file: str | None = None  # the flow file the draft was saved from; None: the editor


@dataclass(frozen=True)
class PublishedFlow:
    id: int  # the version's row ID, which chat sessions refer to
    flow_id: str
    version: int
    flow: Flow
    published_at: float


@dataclass(frozen=True)
class ChatSession:
    id: str
    flow_id: str
    flow_version: int
    flow_published_at: float  # when the version the chat runs on was published
    status: ChatStatus
    anonymous_id: str
    user_id: str | None
    variables: dict[str, Any]
    input: AwaitedInput | None  # the input awaiting an answer; None once the chat has ended
    created_at: float
    updated_at: float


@dataclass(frozen=True)
class ChatTurn:
    """One saved turn: the bot's messages, what it waits for, and what went to Segment."""

    session: ChatSession
    messages: list[BotMessage]
    logs: list[TurnLog]
    queued: list[QueuedMessage]  # each with the Segment account it was queued for

    @property
    def input(self) -> AwaitedInput | None:
        """The input the bot now waits on; None when the chat has ended."""
        return self.session.input
