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


class LinkFrame(BaseModel):
    """A Link to flow the chat followed and comes back from when the linked path ends."""

    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, serialize_by_alias=True, frozen=True
    )

    back_to: Exit | None = Field(
        None, description="Where the linking flow goes on; None: its path ends there too."
    )
    flow_version: int | None = Field(
        None,
        description="The published version of the linking flow (None: the chat's own flow).",
    )
    variables: dict[str, JsonValue] | None = Field(
        None,
        description="The linking flow's variables, kept while the chat is in another flow "
        "(None: the link stayed in the same flow, whose variables it shares).",
    )
    share_back: bool = Field(
        True, description="Whether same-named variables' values flow back on coming back."
    )
    return_to: Exit | None = Field(
        None, description="The linking flow's Return mark, given back on coming back."
    )


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
    flow_version: int | None = Field(
        None,
        description="The published version of the flow the chat is in now, when a Link to "
        "flow took it into another flow (None: the chat's own flow).",
    )
    links: list[LinkFrame] = Field(
        default_factory=list,
        description="The links the chat is inside, the latest last: where it comes back to.",
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
