"""The chat API's request and response bodies: camelCase JSON, shaped like Typebot's chat API.

The logs are the flow engine's own model (`TurnLog`); the awaited input is the engine's
`AwaitedInput` without the flow's internals (`ChatInput`).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

import orjson
from fastapi import Response
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, JsonValue
from pydantic.alias_generators import to_camel
from pydantic_core import PydanticCustomError

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


def _answer_text(value: Any) -> Any:
    """Typebot's answer object `{"type": "text", "text": …}` as its text; anything else as is."""
    if not isinstance(value, dict):
        return value
    if value.get("type") != "text" or not isinstance(value.get("text"), str):
        raise PydanticCustomError(
            "answer", 'Input should be a string, or an object {"type": "text", "text": "…"}'
        )
    if value.get("attachedFileUrls"):
        raise PydanticCustomError("answer", "segflow's inputs take no attached files")
    return value["text"]


Answer = Annotated[Text, BeforeValidator(_answer_text)]


class ContinueChatRequest(_Body, StorableRequest):
    # Extra keys pass here because Typebot's clients send keys of their own (ignored on chats
    # started by the Typebot-compatible API); segflow's own chats refuse them: see
    # `unknown_fields`.
    model_config = ConfigDict(extra="allow")

    message: Answer = Field(
        description="The person's answer to the input the chat waits on; Typebot's "
        '`{"type": "text", "text": …}` is taken too.'
    )

    def unknown_fields(self) -> list[dict[str, Any]]:
        """Pydantic's errors for the keys segflow's own API does not know."""
        return [
            {
                "type": "extra_forbidden",
                "loc": ("body", key),
                "msg": "Extra inputs are not permitted",
                "input": value,
            }
            for key, value in (self.model_extra or {}).items()
        ]


class ChatMessage(_Body):
    """One message of the bot; `content` depends on `type`."""

    type: str = Field(
        description="How to show it: `text`, `image`, `video`, `audio`, `embed`, or a block "
        "package's own; `wait` and `redirect` are actions for the chat window, in order."
    )
    content: dict[str, Any] = Field(
        description="`text`: {text, html} (html is safe to insert); `image`: {url, alt}; "
        "`video`, `audio`: {url}; `embed`: {url, height}; `wait`: {seconds} (pause before "
        "showing what follows); `redirect`: {url, newTab} (go to that page).",
        examples=[{"text": "Hi! I'm Ada", "html": "Hi! I'm <strong>Ada</strong>"}],
    )

    @classmethod
    def of(cls, message: BotMessage) -> ChatMessage:
        return cls(type=message.type, content=message.model_dump(mode="json", exclude={"type"}))


# The awaited input's options a chat client needs to ask for the answer; the rest (the
# variable, the buttons' exits and values, retry messages) is the flow's own business.
PUBLIC_OPTIONS = (
    *("placeholder", "buttonLabel", "long", "min", "max", "step", "hasTime", "multiple"),
    *("lowest", "highest", "icons", "lowLabel", "highLabel"),
)
# Shown only when set, so chats whose inputs never use them look as they always did.
ONLY_WHEN_SET = ("hasTime", "multiple", "icons")


class ChatInput(_Body):
    """The input the bot waits on, as a chat client shows it; a missing option means its
    default (no placeholder, "Send", not long, no bounds)."""

    block_id: str = Field(description="The input block's ID.")
    type: str = Field(
        description="`textInput`, `emailInput`, `numberInput`, `choiceInput`, `urlInput`, "
        "`phoneInput`, `dateInput` or `ratingInput`."
    )
    options: dict[str, Any] = Field(
        description="Those set of `placeholder`, `buttonLabel`, `long`, `min`, `max`, `step`, "
        "`hasTime` (dates' bounds are yyyy-mm-dd); "
        "`items: [{id, label, picture?}]` and `multiple` for buttons (send the picked IDs "
        "joined by commas); `lowest`, `highest`, `icons`, `lowLabel`, `highLabel` for ratings.",
        examples=[{"placeholder": "Your first name", "buttonLabel": "Send", "long": False}],
    )

    @classmethod
    def of(cls, awaited: AwaitedInput | None) -> ChatInput | None:
        if awaited is None:
            return None
        options = {
            key: value
            for key in PUBLIC_OPTIONS
            if (value := awaited.options.get(key)) is not None and value != ""
            if value is not False or key not in ONLY_WHEN_SET
        }
        if items := awaited.options.get("items"):
            options["items"] = [
                {"id": item["id"], "label": item["label"]}
                | ({"picture": item["picture"]} if item.get("picture") else {})
                for item in items
            ]
        return cls(block_id=awaited.block_id, type=awaited.type, options=options)


class ContinueChatResponse(_Body):
    messages: list[ChatMessage] = Field(description="What the bot says this turn, in order.")
    input: ChatInput | None = Field(
        description="The input the bot now waits on; null once the chat has ended."
    )
    status: ChatStatus = Field(
        description="`active` (waiting for an answer), `completed` (reached the end of the "
        "flow) or `stopped` (a turn went past one of its limits, e.g. a loop that never asks; "
        "see the logs)."
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
    input: ChatInput | None = Field(description="The input awaiting an answer, if any.")
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
            input=ChatInput.of(session.input),
            variables=session.variables,
            anonymous_id=session.anonymous_id,
            user_id=session.user_id,
            created_at=datetime.fromtimestamp(session.created_at, UTC),
            updated_at=datetime.fromtimestamp(session.updated_at, UTC),
        )


class ErrorResponse(_Body):
    message: str = Field(description="What was wrong, in words a person can act on.")


def json_answer(body: BaseModel) -> Response:
    """`body` as the JSON answer, for routes that pick their answer's shape themselves."""
    return Response(orjson.dumps(body.model_dump(mode="json")), media_type="application/json")


def _turns(*turns: ChatTurn) -> dict[str, Any]:
    last = turns[-1]
    return {
        "messages": [ChatMessage.of(message) for turn in turns for message in turn.messages],
        "input": ChatInput.of(last.input),
        "status": last.session.status,
        "logs": [log for turn in turns for log in turn.logs],
    }
