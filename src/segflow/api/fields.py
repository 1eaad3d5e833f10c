"""Request fields checked to what segflow can store and send: SQLite and PostgreSQL alike, and
orjson, which writes every saved state and Segment message.

What is storable is `segflow.store.storable`'s: no NUL characters nor lone surrogates in
text, 64-bit integers, finite numbers, at most 32 levels of nesting. A refusal is a 400 that
names the field (through `segflow.api.errors.describe_problems`).

- `Text`, `Identifier`, `Name`, ...: string fields, e.g. `anonymous_id: Identifier | None`.
- `StorableRequest`: a request body model whose whole body, nested JSON values included, is
  checked before its fields are (`class StartChatRequest(StorableRequest)`).
- `storable_json`: the same check as a validator of a free-form JSON body or value, e.g.
  `Annotated[dict[str, Any], AfterValidator(storable_json), Body()]`.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, StringConstraints, model_validator
from pydantic_core import PydanticCustomError

from segflow.store.storable import (
    ID_LENGTH,
    NAME_LENGTH,
    SESSION_ID_LENGTH,
    URL_LENGTH,
    USER_ID_LENGTH,
    json_problems,
    text_problem,
)

UNSTORABLE = "unstorable_json"  # the error type of a problem found anywhere in a JSON value


def storable_json(value: Any) -> Any:
    """A pydantic validator: `value` unchanged, or its first problem as a validation error."""
    for problem in json_problems(value, "The request body"):
        # describe_problems (segflow.api.errors) shows the message as it is: it names the field.
        raise PydanticCustomError(UNSTORABLE, problem)
    return value


def storable_text(text: str) -> str:
    if problem := text_problem(text):
        raise PydanticCustomError("unstorable_text", problem)
    return text


# Strings segflow can store, by the column or use they end up in.
Text = Annotated[str, AfterValidator(storable_text)]  # as long as the request's size allows
Identifier = Annotated[  # a flow ID, an anonymousId, a Segment account's name
    str, StringConstraints(min_length=1, max_length=ID_LENGTH), AfterValidator(storable_text)
]
ChatSessionId = Annotated[  # a chat's ID, or Typebot's longer `typebot-preview-<chat ID>`
    str,
    StringConstraints(min_length=1, max_length=SESSION_ID_LENGTH + len("typebot-preview-")),
    AfterValidator(storable_text),
]
Name = Annotated[  # a flow's name
    str, StringConstraints(min_length=1, max_length=NAME_LENGTH), AfterValidator(storable_text)
]
UserId = Annotated[
    str, StringConstraints(min_length=1, max_length=USER_ID_LENGTH), AfterValidator(storable_text)
]
Url = Annotated[str, StringConstraints(max_length=URL_LENGTH), AfterValidator(storable_text)]


class StorableRequest(BaseModel):
    """A request body checked as a whole first (see `json_problems`), then field by field."""

    @model_validator(mode="before")
    @classmethod
    def _storable(cls, data: Any) -> Any:
        return storable_json(data)
