"""What every block type is made of: its options model, its exits, and how it runs.

A block type is declared once, as a `BlockType`: its name in flow files, its title in the
editor, its family, the pydantic model of its options (whose JSON Schema draws the editor's
form and which validates flow files) and the function that runs it. Inputs also parse answers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum
from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, model_serializer, model_validator
from pydantic.alias_generators import to_camel
from pydantic.json_schema import GetJsonSchemaHandler, JsonDict, JsonSchemaValue
from pydantic_core import CoreSchema

from segflow.blocks.context import BlockContext

Category = Literal["bubble", "input", "logic", "integration"]
CATEGORIES: tuple[Category, ...] = ("bubble", "input", "logic", "integration")

# Hints for the editor's form, beside the JSON Schema's own title, description and required.
TEMPLATE: JsonDict = {"ui": "template"}
VARIABLE: JsonDict = {"ui": "variable"}
EXPRESSION: JsonDict = {"ui": "expression"}
GROUP: JsonDict = {"ui": "group"}
BLOCK: JsonDict = {"ui": "block"}


class BlockOptions(BaseModel):
    """Base of a block's options: camelCase keys, and no key the block does not know."""

    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        serialize_by_alias=True,
        extra="forbid",
    )

    def exits(self) -> list[tuple[str, Exit]]:
        """The exits the options hold beside the block's own `next`, each with a label."""
        return []


class Exit(BaseModel):
    """Where the chat goes next: a group, from its first block or from `block`.

    Written `next: GROUP_ID` or `next: {group: GROUP_ID, block: BLOCK_ID}`.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    group: str = Field(min_length=1, title="Group", json_schema_extra=GROUP)
    block: str | None = Field(
        None,
        title="Block",
        description="Start the group at this block instead of its first one.",
        json_schema_extra=BLOCK,
    )

    @model_validator(mode="before")
    @classmethod
    def _group_alone(cls, data: Any) -> Any:
        return {"group": data} if isinstance(data, str) else data

    @model_serializer(mode="wrap")
    def _shortest(self, handler: Callable[[Exit], dict[str, Any]]) -> str | dict[str, Any]:
        return self.group if self.block is None else handler(self)

    @classmethod
    def __get_pydantic_json_schema__(
        cls, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        written_out = handler(core_schema)
        return {"anyOf": [{"type": "string", "title": "Group ID", "minLength": 1}, written_out]}


NextExit = Annotated[
    Exit | None,
    Field(
        title="Next",
        description="The group to go to next; without it, the next block of the group runs.",
        json_schema_extra={"ui": "exit"},
    ),
]


@dataclass(frozen=True, slots=True)
class Retry:
    """An input's answer was refused: the message asks again, and the input keeps waiting."""

    message: str


class Onward(Enum):
    """Where a block sends the chat other than an exit: NEXT_BLOCK goes on with the next
    block of the group, past the block's own `next` (a Condition item that passed but has no
    exit of its own); END_PATH ends the path there, as if the group had no more blocks (back
    after a Link to flow, else the end of the chat: Typebot's rule for such an item)."""

    NEXT_BLOCK = "next block"
    END_PATH = "end of the path"


NEXT_BLOCK = Onward.NEXT_BLOCK
END_PATH = Onward.END_PATH

Options = TypeVar("Options")
Step = Exit | Onward | None
"""What a block's run returns: an exit to follow, NEXT_BLOCK or END_PATH, or None for its own
`next`."""


@dataclass(frozen=True)
class BlockType(Generic[Options]):
    """One kind of block. `options` is a pydantic model (or an annotated union of models).

    `run` gets the validated options and the turn's `BlockContext`. An input's `answer`
    gets the person's reply: it stores it (`context.set_variable`) and returns the exit to
    follow, or a `Retry` to ask again. Inputs end the turn when reached; their `run`, if
    any, runs just before.
    """

    name: str
    title: str
    category: Category
    options: Any
    run: Callable[[Options, BlockContext], Step] | None = None
    answer: Callable[[Options, str, BlockContext], Step | Retry] | None = None
    description: str = ""
    _adapter: TypeAdapter[Options] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.category not in CATEGORIES:
            raise ValueError(f"Block type {self.name!r}: category must be one of {CATEGORIES}")
        if self.is_input and self.answer is None:
            raise ValueError(f"Block type {self.name!r} is an input, so it needs `answer`")
        if not self.is_input and self.run is None:
            raise ValueError(f"Block type {self.name!r} needs `run`")
        object.__setattr__(self, "_adapter", TypeAdapter(self.options))

    @property
    def is_input(self) -> bool:
        return self.category == "input"

    def read_options(self, data: Any) -> Options:
        """The validated options; raises pydantic's ValidationError."""
        return self._adapter.validate_python(data)

    def options_schema(self) -> dict[str, Any]:
        """The JSON Schema of the options: the editor's form for this block."""
        return self._adapter.json_schema(by_alias=True)
