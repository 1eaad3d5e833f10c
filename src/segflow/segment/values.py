"""Typed key/value rows (traits, properties) and how they become a JSON object."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from enum import StrEnum
from typing import Any, NoReturn

import orjson
from pydantic import BaseModel, ConfigDict, Field

from segflow.errors import SegmentActionError
from segflow.segment.templating import fill, filled_from, variable_name


class ValueType(StrEnum):
    """How a row's value is sent to Segment."""

    TEXT = "text"
    NUMBER = "number"
    BOOLEAN = "boolean"
    JSON = "json"
    VARIABLE = "variable"  # the variable's own value, whatever its type


class KeyValue(BaseModel):
    """One row of a traits or properties list."""

    model_config = ConfigDict(extra="forbid")

    key: str = Field(
        title="Key",
        description="The name Segment sees; dots nest it: `address.city`. May use {{variables}}.",
    )
    value: str = Field(
        "",
        title="Value",
        description="May use {{variables}}. For the Variable type, the variable's name.",
    )
    type: ValueType = Field(
        ValueType.TEXT,
        title="Type",
        description=(
            "text: as written; number; boolean: true/false, yes/no or 1/0; json: parsed as JSON; "
            "variable: the variable's own value, kept as a number, list or object."
        ),
    )


_BOOLEANS = {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False}
_INTEGER = re.compile(r"[+-]?[0-9]+")
_DECIMAL = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_LARGEST_INTEGER = 2**63  # orjson writes nothing wider than 64 bits


def build_object(
    pairs: Sequence[KeyValue],
    variables: Mapping[str, object],
    *,
    action: str,
    field: str,
) -> dict[str, Any]:
    """The JSON object the rows describe; `action` and `field` name the rows in errors."""
    result: dict[str, Any] = {}
    placed = _PlacedKeys(action, field)
    for row, pair in enumerate(pairs, start=1):
        if not pair.key.strip() and not pair.value.strip():
            continue  # an empty row left in the form
        key = fill(pair.key, variables).strip()
        if not key:
            problem = f"row {row} has an empty key"
            raise SegmentActionError(action, field, problem + filled_from(pair.key))
        value = _convert(pair, key, variables, action, field)
        placed.put(result, key, value)
    return result


def _convert(
    pair: KeyValue, key: str, variables: Mapping[str, object], action: str, field: str
) -> Any:
    if pair.type is ValueType.VARIABLE:
        name = variable_name(pair.value)
        if not name:
            raise SegmentActionError(action, field, f'"{key}" names no variable')
        return variables.get(name)
    text = fill(pair.value, variables)
    if pair.type is ValueType.TEXT:
        return text
    if pair.type is ValueType.NUMBER:
        number = parse_number(text.strip())
        if number is None:
            problem = f'"{key}" is not a number: "{text}"'
            raise SegmentActionError(action, field, problem + filled_from(pair.value))
        return number
    if pair.type is ValueType.BOOLEAN:
        boolean = _BOOLEANS.get(text.strip().lower())
        if boolean is None:
            problem = f'"{key}" is not a boolean (true/false, yes/no, 1/0): "{text}"'
            raise SegmentActionError(action, field, problem + filled_from(pair.value))
        return boolean
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        problem = f'"{key}" is not valid JSON ({exc}): "{text}"'
        raise SegmentActionError(action, field, problem + filled_from(pair.value)) from None


def as_number(value: object) -> int | float | None:
    """A variable's value as a number: a number as it is, text that reads as one; else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return value
    return parse_number(value.strip()) if isinstance(value, str) else None


def parse_number(text: str) -> int | float | None:
    """The number `text` writes (an integer when integral), or None when it is no number."""
    if len(text) <= 20 and _INTEGER.fullmatch(text):  # longer: beyond 64 bits, so a float
        integer = int(text)
        if abs(integer) < _LARGEST_INTEGER:
            return integer
    elif not _DECIMAL.fullmatch(text):
        return None
    number = float(text)
    if not math.isfinite(number):
        return None
    if number.is_integer() and abs(number) < _LARGEST_INTEGER:
        return int(number)
    return number


class _PlacedKeys:
    """Puts dotted keys into nested objects, refusing a key that is both a value and an object."""

    def __init__(self, action: str, field: str) -> None:
        self.action = action
        self.field = field
        self.values: set[str] = set()  # full keys that hold a value
        self.objects: dict[str, str] = {}  # key prefix -> the first key that made it an object

    def put(self, result: dict[str, Any], key: str, value: Any) -> None:
        if key in self.values:
            raise SegmentActionError(self.action, self.field, f'"{key}" is set twice')
        if key in self.objects:
            self._conflict(key, self.objects[key])
        if "." not in key:
            self.values.add(key)
            result[key] = value
            return
        parts = key.split(".")
        if not all(parts):
            raise SegmentActionError(self.action, self.field, f'"{key}" has an empty part')
        node = result
        for depth in range(1, len(parts)):
            prefix = ".".join(parts[:depth])
            if prefix in self.values:
                self._conflict(prefix, key)
            self.objects.setdefault(prefix, key)
            node = node.setdefault(parts[depth - 1], {})
        self.values.add(key)
        node[parts[-1]] = value

    def _conflict(self, value_key: str, object_key: str) -> NoReturn:
        problem = (
            f'"{value_key}" and "{object_key}" conflict: '
            f'"{value_key}" cannot be both a value and an object'
        )
        raise SegmentActionError(self.action, self.field, problem)
