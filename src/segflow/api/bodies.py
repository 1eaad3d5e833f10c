"""The chat API's request and response bodies: camelCase JSON, shaped like Typebot's chat API.

The awaited input and the logs are the flow engine's own models (`AwaitedInput`, `TurnLog`),
so the API says exactly what the engine does, with no second copy of their fields.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, JsonValue
from pydantic.alias_generators import to_camel

from segflow.api.fields import Identifier, StorableRequest, Text, UserId
from segflow.blocks import BotMessage
from segflow.chat import ChatSession, ChatTurn
from segflow.chat.visitor import Visitor
from segflow.flow import AwaitedInput, ChatStatus, TurnLog


class _Body(BaseModel):
    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, serialize_by_alias=True
    )


class _Request(_Body, StorableRequest):
    # A misspelt key (`prefilledVariable`) is an error, not silently ignored.
    model_config = ConfigDict(extra="forbid")


class StartChatRequest(_Request):
    prefilled_variables: dict[Identifier, JsonValue] = Field(
        default_factory=dict,
        description="Values for the flow's variables before it starts, by variable name.",
        examples=[{"name": "Ada"}],
    )
    message: Text | None = Field(
        None, description="An answer to the flow's first input, sent as soon as it asks."
    )
    anonymous_id: Identifier | None = Field(
        None,
        description="The visitor's Segment anonymousId (e.g. analytics.js's on the page), so the "
        "chat's events join the visitor's; a new one if unset.",
    )
    user_id: UserId | None = Field(
        None,
        description="The visitor's Segment userId when the website knows it (e.g. analytics.js's "
        "`ajs_user_id`): the chat's events carry it from the start.",
    )
    context: Visitor | None = Field(
        None,
        description="What the page tells about the visitor (page, userAgent, locale, timezone, "
        "screen): every Segment message of the chat carries it as its `context`.",
    )


class ContinueChatRequest(_Request):
    message: Text = Field(description="The person's answer to the input the chat waits on.")


class ChatMessage(_Body):
    """One message of the bot; `content` depends on `type`."""

    type: str = Field(description="How to show it: `text`, `image`, or a block package's own.")
    content: dict[str, Any] = Field(
        description="`text`: {text, html} (html is safe to insert); `image`: {url, alt}.",
        examples=[{"text": "Hi! I'm Ada", "html": "Hi! I'm <strong>Ada</strong>"}],
    )

    @classmethod
    def of(cls, message: BotMessage) -> ChatMessage:
        return cls(type=message.type, content=message.model_dump(mode="json", exclude={"type"}))


class ContinueChatResponse(_Body):
    messages: list[ChatMessage] = Field(description="What the bot says this turn, in order.")
    input: AwaitedInput | None = Field(
        description="The input the bot now waits on; null once the chat has ended."
    )
    status: ChatStatus = Field(
        description="`active` (waiting for an answer), `completed` (reached the end of the "
        "flow) or `stopped` (a loop that never asks; see the logs)."
    )
    logs: list[TurnLog] = Field(
        description="What went wrong or is worth knowing in this turn, and where."
    )

    @classmethod
    def of(cls, *turns: ChatTurn) -> ContinueChatResponse:
        """The response to one turn, or to several run for one request (joined in order)."""
        return cls(**_turns(*turns))


class StartChatResponse(ContinueChatResponse):
    session_id: str = Field(description="The chat's ID, for continueChat.")
    anonymous_id: str = Field(description="The anonymousId every Segment message carries.")

    @classmethod
    def of(cls, *turns: ChatTurn) -> StartChatResponse:
        session = turns[-1].session
        return cls(session_id=session.id, anonymous_id=session.anonymous_id, **_turns(*turns))


class SessionResponse(_Body):
    session_id: str
    flow_id: str
    flow_version: int = Field(description="The published version of the flow the chat runs on.")
    status: ChatStatus
    input: AwaitedInput | None = Field(description="The input awaiting an answer, if any.")
    variables: dict[str, JsonValue]
    anonymous_id: str
    user_id: str | None = Field(description="From the chat's last Identify User or Alias.")
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, session: ChatSession) -> SessionResponse:
        return cls(
            session_id=session.id,
            flow_id=session.flow_id,
            flow_version=session.flow_version,
            status=session.status,
            input=session.input,
            variables=session.variables,
            anonymous_id=session.anonymous_id,
            user_id=session.user_id,
            created_at=datetime.fromtimestamp(session.created_at, UTC),
            updated_at=datetime.fromtimestamp(session.updated_at, UTC),
        )


class ErrorResponse(_Body):
    message: str = Field(description="What was wrong, in words a person can act on.")


def _turns(*turns: ChatTurn) -> dict[str, Any]:
    last = turns[-1]
    return {
        "messages": [ChatMessage.of(message) for turn in turns for message in turn.messages],
        "input": last.input,
        "status": last.session.status,
        "logs": [log for turn in turns for log in turn.logs],
    }
