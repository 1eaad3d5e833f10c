"""The flow document: groups of blocks joined by exits, variables, a start, Segment settings.

The same model reads YAML, JSON and editor documents and writes them back: keys are camelCase,
each block's options stand inline beside its `id`, `type` and `next`, and graph positions are
kept so an editor can round-trip a flow. Blocks are read with the block types of a
`BlockRegistry` (passed as validation context; segflow's default registry otherwise).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    JsonValue,
    ModelWrapValidatorHandler,
    PrivateAttr,
    SerializeAsAny,
    SerializerFunctionWrapHandler,
    ValidationError,
    ValidationInfo,
    WithJsonSchema,
    model_serializer,
    model_validator,
)
from pydantic.alias_generators import to_camel
from pydantic_core import PydanticCustomError

from segflow.blocks import (
    BlockOptions,
    BlockRegistry,
    BlockType,
    Exit,
    Semantics,
    default_registry,
)
from segflow.blocks.base import NextExit
from segflow.flow.problems import Path, field_problems

BLOCK_KEYS = ("id", "type", "next")


def _private(part: BaseModel, name: str) -> Any:
    """A private attribute of a flow's part, read from pydantic's own store: `part._name` goes
    through BaseModel.__getattr__, several times slower, and every turn reads a few of them."""
    return part.__pydantic_private__[name]  # type: ignore[index]


class _FlowPart(BaseModel):
    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        serialize_by_alias=True,
        extra="forbid",
        frozen=True,
    )


class Position(_FlowPart):
    """Where the editor draws a group or the start."""

    x: int | float
    y: int | float


# An ID a website may use in a chat URL: letters, digits and - _ . ~ (no slash, no space).
ALIAS_PATTERN = r"^[A-Za-z0-9._~-]{1,100}$"


def _usable_in_urls(alias: str) -> str:
    if not re.fullmatch(ALIAS_PATTERN, alias):
        raise ValueError(
            f'"{alias}" cannot be used in a chat URL: use up to 100 letters, digits and - _ . ~'
        )
    return alias


class Variable(_FlowPart):
    name: str = Field(min_length=1, title="Name")
    value: JsonValue = Field(None, title="Initial value")
    aliases: list[str] = Field(
        default_factory=list,
        title="Other names",
        description="Names prefilledVariables may also use for it, e.g. its name in the "
        "Typebot it was imported from.",
    )


class Start(_FlowPart):
    group: str = Field(min_length=1, title="Group")
    block: str | None = Field(None, title="Block")
    position: Position | None = Field(None, title="Position")


class AutoTrack(_FlowPart):
    page_views: bool = Field(
        False, title="Page views", description="A Page View for each group entered."
    )
    flow_events: bool = Field(
        False,
        title="Flow events",
        description='Track "Flow Started" when a chat starts and "Flow Completed" when it ends.',
    )


class SegmentSettings(_FlowPart):
    destination: str | None = Field(
        None,
        title="Segment account",
        description="For Segment blocks that name none; unset: segflow's default destination.",
    )
    auto_track: AutoTrack = Field(default_factory=AutoTrack, title="Automatic tracking")


@dataclass(frozen=True)
class FlowReading:
    """How a flow document is read: with which block types. `lenient` reads past blocks
    whose options are wrong (so the flow's other checks can still run); only
    `segflow.flow.parse_flow` uses it, after it has collected those blocks' problems."""

    registry: BlockRegistry
    lenient: bool = False


class _UnreadableOptions(BlockOptions):
    """Stands in, in a leniently read flow, for options that could not be read."""


class Block(_FlowPart):
    id: str = Field(min_length=1, title="ID")
    type: str = Field(min_length=1, title="Type")
    next: NextExit = None
    # The published schema describes each block type's options (see flow/schema.py).
    options: Annotated[SerializeAsAny[BaseModel], WithJsonSchema({"type": "object"})]
    _kind: BlockType[Any] | None = PrivateAttr(None)
    _json_options: dict[str, Any] | None = PrivateAttr(None)

    @property
    def kind(self) -> BlockType[Any]:
        """The block's type, with its run function."""
        kind: BlockType[Any] | None = _private(self, "_kind")
        if kind is None:
            raise ValueError(f'Block "{self.id}" was read past: its options have problems')
        return kind

    @property
    def title(self) -> str:
        """The block type's title ("Email input"), or its name if unknown."""
        kind: BlockType[Any] | None = _private(self, "_kind")
        return kind.title if kind is not None else self.type

    def json_options(self) -> dict[str, Any]:
        """The options as JSON (camelCase keys), made once: a read block never changes, and an
        input shows them on every turn that waits on it. Copy before changing them."""
        if (options := _private(self, "_json_options")) is None:
            options = self._json_options = self.options.model_dump(mode="json")
        return options

    @model_validator(mode="wrap")
    @classmethod
    def _read_inline_options(
        cls, data: Any, handler: ModelWrapValidatorHandler[Block], info: ValidationInfo
    ) -> Block:
        if isinstance(data, Block):
            return data
        reading = info.context if isinstance(info.context, FlowReading) else None
        registry = reading.registry if reading else default_registry()
        if not isinstance(data, Mapping) or "options" in data:
            block = handler(data)
            block._kind = registry.find(block.type)
            return block
        type_name = data.get("type")
        kind = registry.find(type_name) if isinstance(type_name, str) else None
        options: BaseModel = _UnreadableOptions()
        problems: list[tuple[Path, str]] = []  # each with its field in the options
        if kind is not None:
            inline = {key: value for key, value in data.items() if key not in BLOCK_KEYS}
            try:
                options = kind.read_options(inline)
            except ValidationError as error:
                problems = field_problems(error, kind.options)
        elif isinstance(type_name, str) and type_name:
            known = ", ".join(registry.names)
            problems = [((), f'Type "{type_name}" is not a block type (the types are {known})')]
        if problems and not (reading and reading.lenient):
            raise PydanticCustomError(
                "block_options",
                "{summary}",
                {"summary": "; ".join(text for _path, text in problems), "problems": problems},
            )
        fields = {key: data[key] for key in BLOCK_KEYS if key in data}
        block = handler({**fields, "options": options})
        block._kind = None if problems else kind
        return block

    @model_serializer(mode="wrap")
    def _options_inline(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        data: dict[str, Any] = handler(self)
        options = data.pop("options")
        if data.get("next") is None:
            data.pop("next", None)
        return {**data, **options}


class Group(_FlowPart):
    id: str = Field(min_length=1, title="ID")
    title: str = Field("", title="Title", description="Its name; also the Page View's name.")
    position: Position | None = Field(None, title="Position")
    blocks: list[Block] = Field(default_factory=list, title="Blocks")

    @property
    def shown_title(self) -> str:
        return self.title or self.id


class Flow(_FlowPart):
    """A chatbot. Read it with `segflow.flow.parse_flow` or `load_flow`, which also check its
    exits, variables and Segment accounts; `Flow.model_validate` checks only its shape."""

    name: str = Field(min_length=1, title="Name")
    description: str = Field("", title="Description")
    aliases: list[Annotated[str, AfterValidator(_usable_in_urls)]] = Field(
        default_factory=list,
        title="Other IDs",
        description="IDs the chat API also finds the flow by, e.g. the publicId and ID of the "
        "Typebot it was imported from; no two flows may share one.",
    )
    semantics: Semantics = Field(
        "segflow",
        title="Semantics",
        description="typebot: values and conditions behave as in Typebot (set on imported "
        "Typebots, so they take the same path); segflow: segflow's own rules.",
    )
    segment: SegmentSettings = Field(default_factory=SegmentSettings, title="Segment")
    variables: list[Variable] = Field(default_factory=list, title="Variables")
    start: Start | None = Field(
        None, title="Start", description="Where a chat begins; unset: the first group."
    )
    groups: list[Group] = Field(min_length=1, title="Groups")
    _groups: dict[str, Group] = PrivateAttr(default_factory=dict)
    _blocks: dict[str, tuple[Group, int]] = PrivateAttr(default_factory=dict)
    _variable_names: dict[str, str] = PrivateAttr(default_factory=dict)
    # Automatic tracking's actions by group ID or event name, each made once (see `auto_action`).
    _auto_actions: dict[str, Any] = PrivateAttr(default_factory=dict)

    def model_post_init(self, context: Any) -> None:
        names = self._variable_names
        names.update((variable.name, variable.name) for variable in self.variables)
        for variable in self.variables:  # a variable's own name wins over another's alias
            for alias in variable.aliases:
                names.setdefault(alias, variable.name)
        for group in self.groups:
            self._groups.setdefault(group.id, group)
            for index, block in enumerate(group.blocks):
                self._blocks.setdefault(block.id, (group, index))

    def group(self, group_id: str) -> Group | None:
        groups: dict[str, Group] = _private(self, "_groups")
        return groups.get(group_id)

    def locate(self, block_id: str) -> tuple[Group, int] | None:
        """The group that holds a block, and the block's index in it."""
        blocks: dict[str, tuple[Group, int]] = _private(self, "_blocks")
        return blocks.get(block_id)

    @property
    def entry(self) -> Exit:
        """Where a chat begins."""
        if self.start is None:
            return Exit(group=self.groups[0].id)
        return Exit(group=self.start.group, block=self.start.block)

    def variable_named(self, name: str) -> str | None:
        """The variable `name` is, by its name or one of its aliases; None: not in the flow."""
        names: dict[str, str] = _private(self, "_variable_names")
        return names.get(name)

    def auto_action(self, key: str, make: Callable[[], Any]) -> Any:
        """The automatic tracking action kept under `key`, made by `make` the first time: the
        same action each turn, so a Segment message only fills in its prepared templates."""
        actions: dict[str, Any] = _private(self, "_auto_actions")
        if (action := actions.get(key)) is None:
            action = actions.setdefault(key, make())
        return action

    def initial_variables(self) -> dict[str, JsonValue]:
        return {variable.name: variable.value for variable in self.variables}
