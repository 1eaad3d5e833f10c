"""Problems in a flow, in the words of the person who built it, each with its place.

    Group "Email" › block "identify" (Segment): Event Name is required

pydantic's errors are translated here: a field is named by its title, a list item by its
number, and a problem by what to do about it.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from segflow.errors import SegflowError

Level = Literal["error", "warning"]
"""An error keeps a flow from being saved or published; a warning is worth knowing only."""


@dataclass(frozen=True, slots=True)
class FlowProblem:
    place: str  # 'Flow', 'Group "Email"', 'Group "Email" › block "identify" (Segment)'
    problem: str
    level: Level = "error"
    field: tuple[str | int, ...] = ()  # in the block's options, when known: ("items", 0, …)

    def __str__(self) -> str:
        return f"{self.place}: {self.problem}"


class FlowError(SegflowError):
    """A flow has problems: `problems` holds every one found, each with its place."""

    def __init__(self, problems: Iterable[FlowProblem], *, source: str = "The flow") -> None:
        self.problems = list(problems)
        count = len(self.problems)
        lines = "\n".join(f"- {problem}" for problem in self.problems)
        super().__init__(f"{source} has {count} problem{'' if count == 1 else 's'}:\n{lines}")


FLOW = "Flow"


def group_place(title: str) -> str:
    return f'Group "{title}"'


def block_place(group_title: str, block_id: str, type_title: str) -> str:
    return f'{group_place(group_title)} › block "{block_id}" ({type_title})'


def field_problems(error: ValidationError, schema: Any) -> list[str]:
    """Each error of validating against `schema` (a model, or an annotated union of models),
    e.g. 'Event Name is required' or 'Buttons #2 › Label is empty'."""
    return [
        describe(schema, error_details["loc"], error_details) for error_details in error.errors()
    ]


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
