"""A Typebot chat's session ID: segflow's chat ID with a prefix that says which API answers it.

Typebot's clients and segflow's own share continueChat's path; the prefix tells their chats
apart without a database lookup, so each is answered in the shape its client reads, whatever
body it sends. Preview chats (on a draft, in memory) have a prefix of their own.
"""

from __future__ import annotations

from dataclasses import dataclass

CHAT_PREFIX = "typebot-"
PREVIEW_PREFIX = "typebot-preview-"


@dataclass(frozen=True)
class TypebotSessionId:
    chat_id: str  # segflow's chat session ID, or the preview chat's
    preview: bool = False

    def __str__(self) -> str:
        return (PREVIEW_PREFIX if self.preview else CHAT_PREFIX) + self.chat_id

    @classmethod
    def parse(cls, session_id: str) -> TypebotSessionId | None:
        """The Typebot chat a session ID names; None for a chat of segflow's own API."""
        if session_id.startswith(PREVIEW_PREFIX):
            return cls(session_id.removeprefix(PREVIEW_PREFIX), preview=True)
        if session_id.startswith(CHAT_PREFIX):
            return cls(session_id.removeprefix(CHAT_PREFIX))
        return None


def chat_id_of(result_id: str) -> str:
    """segflow's chat ID in a `resultId`, which is one already unless a client sent the
    session ID instead."""
    parsed = TypebotSessionId.parse(result_id)
    return parsed.chat_id if parsed is not None and not parsed.preview else result_id
