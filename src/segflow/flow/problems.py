"""Problems in a flow, in the words of the person who built it, each with its place.

    Group "Email" › block 2 (Segment): Event Name is required

A problem is data as much as words: the group and block it is in (a block named by its
group's title and its position there, as the builder sees it), and the field in the block's
options, so every tool that shows it (`segflow validate`, publishing, the editor) can point at
it without reading its text. pydantic's errors are translated here: a field is named by its
title, a list item by its number, and a problem by what to do about it.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import KW_ONLY, dataclass
from typing import Any, Literal

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from segflow.errors import SegflowError

Level = Literal["error", "warning"]
"""An error keeps a flow from being published; a warning is worth knowing only."""

Path = tuple[str | int, ...]
"""A field in a block's options, e.g. ("properties", 0, "value")."""

FLOW = "Flow"


@dataclass(frozen=True, slots=True)
class FlowProblem:
    """One problem: its place in words ('Flow', 'Group "Email"', 'Group "Email" › block 2
    (Segment)'), what it is, and, when it is in a group or a block, which one."""

    place: str
    problem: str
    level: Level = "error"
    field: Path = ()  # in the block's options, when known: ("items", 0, …)
    _: KW_ONLY
    group_id: str | None = None
    group_title: str | None = None
    block_id: str | None = None
    block_position: int | None = None  # 1 for the first block of its group
    block_type: str | None = None  # the block type's title, e.g. "Segment"

    @property
    def is_error(self) -> bool:
        return self.level == "error"

    def __str__(self) -> str:
        return f"{self.place}: {self.problem}"


class FlowError(SegflowError):
    """A flow has problems: `problems` holds every one found, each with its place."""

    def __init__(self, problems: Iterable[FlowProblem], *, source: str = "The flow") -> None:
        self.problems = list(problems)
        count = len(self.problems)
        lines = "\n".join(f"- {problem}" for problem in self.problems)
        super().__init__(f"{source} has {count} problem{'' if count == 1 else 's'}:\n{lines}")


@dataclass(frozen=True, slots=True)
class GroupAt:
    """A group, as problems name it: by its title (its ID when it has none)."""

    group_id: str
    title: str

    def __str__(self) -> str:
        return group_place(self.title)

    def problem(self, problem: str) -> FlowProblem:
        return FlowProblem(
            str(self), problem, group_id=self.group_id or None, group_title=self.title
        )


@dataclass(frozen=True, slots=True)
class BlockAt:
    """A block, as problems name it: its group's title and its position there (its ID is
    random in flows made in the editor), with its type's title."""

    group: GroupAt
    block_id: str
    position: int  # 1 for the first block of its group
    type_title: str

    def __str__(self) -> str:
        return f"{self.group} › block {self.position} ({self.type_title})"

    def problem(
        self, problem: str, *, field: Sequence[str | int] = (), level: Level = "error"
    ) -> FlowProblem:
        return FlowProblem(
            str(self),
            problem,
            level,
            tuple(field),
            group_id=self.group.group_id or None,
            group_title=self.group.title,
            block_id=self.block_id or None,
            block_position=self.position,
            block_type=self.type_title,
        )


def group_place(title: str) -> str:
    return f'Group "{title}"'


def field_problems(error: ValidationError, schema: Any) -> list[tuple[Path, str]]:
    """Each error of validating against `schema` (a model, or an annotated union of models),
    e.g. 'Event Name is required' or 'Buttons #2 › Label is empty', with its field's path."""
    return [
        (field_path(schema, details["loc"]), describe(schema, details["loc"], details))
        for details in error.errors()
    ]


def field_path(schema: Any, loc: Sequence[int | str]) -> Path:
    """The path of the field `loc` names in data validated against `schema`: `loc` without the
    tags of unions (a Segment action's name is no field)."""
    path: list[str | int] = []
    current: Any = schema
    for part in loc:
        current = _unwrapped(current)
        if isinstance(part, int):
            current = _item_type(current)
        elif _is_model(current):
            field_name, _title = _field(current, part)
            current = current.model_fields[field_name].annotation if field_name else None
        elif (member := _tagged_member(current, part)) is not None:
            current = member
            continue
        else:
            current = None
        path.append(part)
    return tuple(path)


def describe(schema: Any, loc: Sequence[int | str], error: ErrorDetails) -> str:
    """One error as 'Field problem', its field found by following `loc` through `schema`."""
    where = " › ".join(_titles(schema, loc))
    if error["type"] in ("union_tag_not_found", "union_tag_invalid"):
        discriminator = str(error.get("ctx", {}).get("discriminator", "")).strip("'")
        where = " › ".join([*filter(None, [where]), _humanise(discriminator)])
    problem = _problem(error)
    if error["type"] in ("value_error", "assertion_error"):
        return f"{where}: {problem}" if where else problem[:1].upper() + problem[1:]
    return f"{where} {problem}" if where else problem[:1].upper() + problem[1:]


def _problem(error: ErrorDetails) -> str:
    kind = error["type"]
    context: Mapping[str, Any] = error.get("ctx", {})
    match kind:
        case "missing" | "union_tag_not_found":
            return "is required"
        case "extra_forbidden":
            return "is not a known setting (a typo?)"
        case "string_type":
            return "must be text"
        case "int_type" | "int_parsing" | "float_type" | "float_parsing" | "int_from_float":
            return "must be a number"
        case "bool_type" | "bool_parsing":
            return "must be true or false"
        case "list_type" | "tuple_type":
            return "must be a list"
        case "model_type" | "model_attributes_type" | "dict_type":
            return "must be a set of keys and values"
        case "literal_error" | "enum":
            return f"must be one of {context.get('expected')}"
        case "union_tag_invalid":
            return f"must be one of {context.get('expected_tags')}, not '{context.get('tag')}'"
        case "string_too_short" if context.get("min_length") == 1:
            return "is empty"
        case "too_short":
            least = context.get("min_length")
            return f"needs at least {least} item{'' if least == 1 else 's'}"
        case "value_error" | "assertion_error":
            return (
                str(error["msg"]).removeprefix("Value error, ").removeprefix("Assertion failed, ")
            )
    return str(error["msg"])[:1].lower() + str(error["msg"])[1:]


def _titles(schema: Any, loc: Sequence[int | str]) -> list[str]:
    titles: list[str] = []
    current: Any = schema
    for part in loc:
        current = _unwrapped(current)
        if isinstance(part, int):
            if titles:
                titles[-1] += f" #{part + 1}"
            else:
                titles.append(f"#{part + 1}")
            current = _item_type(current)
        elif _is_model(current):
            field_name, title = _field(current, part)
            titles.append(title)
            current = current.model_fields[field_name].annotation if field_name else None
        elif (member := _tagged_member(current, part)) is not None:
            current = member  # the tag of a union (e.g. a Segment action) names no field
        else:
            titles.append(f'"{part}"')
            current = None
    return titles


def _field(model: type[BaseModel], key: str) -> tuple[str | None, str]:
    for name, info in model.model_fields.items():
        if key in (name, info.alias):
            return name, info.title or _humanise(key)
    return None, f'"{key}"'  # a key the model does not know


def _unwrapped(annotation: Any) -> Any:
    """`X` from `Annotated[X, ...]` and from `X | None`."""
    while typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    if _is_union(annotation):
        members = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
        if len(members) == 1:
            return _unwrapped(members[0])
    return annotation


def _item_type(annotation: Any) -> Any:
    args = typing.get_args(annotation)
    return args[0] if typing.get_origin(annotation) in (list, tuple) and args else None


def _tagged_member(annotation: Any, tag: object) -> Any:
    if not _is_union(annotation):
        return None
    for member in typing.get_args(annotation):
        if _is_model(member) and any(
            tag in typing.get_args(info.annotation) for info in member.model_fields.values()
        ):
            return member
    return None


def _is_union(annotation: Any) -> bool:
    return typing.get_origin(annotation) in (typing.Union, types.UnionType)


def _is_model(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def _humanise(key: str) -> str:
    spaced = "".join(f" {c.lower()}" if c.isupper() else c for c in key).replace("_", " ")
    return spaced.strip().capitalize()
