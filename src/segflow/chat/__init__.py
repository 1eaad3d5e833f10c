"""The chat service: saved and published flows, and chats that run on them, for the CLI and
the HTTP API alike."""

from segflow.chat.chats import Chats
from segflow.chat.errors import (
    ChatSessionConflictError,
    ChatSessionNotFoundError,
    DraftConflictError,
    FlowChangedInEditorError,
    FlowIdTakenError,
    FlowNotFoundError,
    NotFoundError,
)
from segflow.chat.flows import Flows, PublishedLinks, flow_id_for
from segflow.chat.records import ChatSession, ChatTurn, PublishedFlow, SavedFlow

__all__ = [
    "ChatSession",
    "ChatSessionConflictError",
    "ChatSessionNotFoundError",
    "ChatTurn",
    "Chats",
    "DraftConflictError",
    "FlowChangedInEditorError",
    "FlowIdTakenError",
    "FlowNotFoundError",
    "Flows",
    "NotFoundError",
    "PublishedFlow",
    "PublishedLinks",
    "SavedFlow",
    "flow_id_for",
]
