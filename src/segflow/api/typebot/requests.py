"""What Typebot's clients send: startChat's and continueChat's bodies, as Typebot's schema has
them. Keys segflow does not use are ignored, as Typebot does, never refused."""

from __future__ import annotations

from typing import Any, Literal

from fastapi.exceptions import RequestValidationError
from pydantic import ConfigDict, Field, JsonValue, ValidationError
from pydantic.alias_generators import to_camel

from segflow.api.bodies import Answer
from segflow.api.fields import ChatSessionId, Identifier, StorableRequest

TextFormat = Literal["richText", "markdown"]


class _TypebotRequest(StorableRequest):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="ignore")

    text_bubble_content_format: TextFormat = Field(
        "richText",
        description="How text bubbles come: Slate `richText` (the web embed's) or `markdown`.",
    )


class StartChatRequest(_TypebotRequest):
    prefilled_variables: dict[Identifier, JsonValue] = Field(
        default_factory=dict,
        description="Values for the flow's variables, by name (the embed sends the page's "
        "query parameters; those the flow has not are logged and ignored).",
    )
    message: Answer | None = Field(
        None, description="An answer to the flow's first input, sent as soon as it asks."
    )
    result_id: ChatSessionId | None = Field(
        None,
        description="An earlier chat's `resultId`: this one starts with what that one knew.",
    )
    is_stream_enabled: bool = Field(False, description="Accepted; segflow streams nothing.")
    is_only_registering: bool = Field(
        False, description="Not supported: segflow always starts the chat (and says so in logs)."
    )


class PreviewStartChatRequest(StartChatRequest):
    """The editor's preview: the flow's saved draft runs, whatever `typebot` the body holds."""


class ContinueChatOptions(_TypebotRequest):
    """continueChat's keys beside `message` (see `segflow.api.bodies.ContinueChatRequest`)."""

    @classmethod
    def read(cls, keys: dict[str, Any]) -> ContinueChatOptions:
        try:
            return cls.model_validate(keys)
        except ValidationError as error:
            raise RequestValidationError(
                [{**problem, "loc": ("body", *problem["loc"])} for problem in error.errors()]
            ) from None
