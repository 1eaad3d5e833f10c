"""A chat session's state between turns: everything the engine needs to go on, as JSON."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, JsonValue
from pydantic.alias_generators import to_camel

from segflow.blocks import Exit
from segflow.errors import SegflowError


class ChatStatus(StrEnum):
    ACTIVE = "active"  # waiting for the person's answer
    COMPLETED = "completed"  # reached the end of the flow
    STOPPED = "stopped"  # stopped by segflow: a turn went past a limit (e.g. a loop)


class SessionState(BaseModel):
    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, serialize_by_alias=True, frozen=True
    )

    anonymous_id: str = Field(description="Carried by every Segment message of the chat.")
    user_id: str | None = Field(
        None, description="Remembered from the last Identify User or Alias."
    )
    variables: dict[str, JsonValue] = Field(default_factory=dict)
    context: dict[str, JsonValue] = Field(
        default_factory=dict,
        description="Segment `context` every message of the chat carries: what the website "
        "told about the visitor (page, userAgent, locale, timezone, screen, ip).",
    )
    waiting_for: str | None = Field(None, description="The ID of the input awaiting an answer.")
    return_to: Exit | None = Field(
        None, description="Where a Return block goes back to: after the chat's last Jump."
    )
    chat_id: str | None = Field(
        None, description="The chat's ID (its session's), when it has one; not saved in the state."
    )
    status: ChatStatus = ChatStatus.ACTIVE


class ChatEndedError(SegflowError):
    """An answer came for a chat that is over."""

    def __init__(self, status: ChatStatus) -> None:
        self.status = status
        super().__init__(f"This chat has ended ({status}); start a new one")
