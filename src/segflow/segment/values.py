"""Typed key/value rows (traits, properties) and how they become a JSON object."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from contextlib import suppress
from enum import StrEnum
from types import MappingProxyType
from typing import Any, NoReturn

import orjson
from pydantic import BaseModel, ConfigDict, Field

from segflow.errors import SegmentActionError
from segflow.segment.templating import Template, variable_name


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
    return ObjectTemplate(pairs, action=action, field=field).build(variables)


class ObjectTemplate:
    """Key/value rows read once (templates split, types looked up, empty rows left out), then
    built into their JSON object for each message; `action` and `field` name them in errors."""

    __slots__ = ("_action", "_field", "_plain", "_rows")

    def __init__(self, pairs: Sequence[KeyValue], *, action: str, field: str) -> None:
        self._action = action
        self._field = field
        self._rows = [
            _Row(number, pair)
            for number, pair in enumerate(pairs, start=1)
            if pair.key.strip() or pair.value.strip()  # else an empty row left in the form
        ]
        keys = [row.key.text.strip() for row in self._rows]
        # Plain keys, none twice and none dotted: each goes straight into the object.
        simple = all(
            key and "." not in key and not row.key.uses_variables
            for key, row in zip(keys, self._rows, strict=True)
        ) and len(set(keys)) == len(keys)
        self._plain = (
            [(key, row.value) for key, row in zip(keys, self._rows, strict=True)]
            if simple
            else None
        )

    def build(self, variables: Mapping[str, object]) -> dict[str, Any]:
        result: dict[str, Any] = {}
        key = ""
        try:
            if self._plain is not None:
                for key, value in self._plain:
                    result[key] = value(variables)
                return result
            placed = _PlacedKeys(self._action, self._field)
            for row in self._rows:
                key = row.key.fill(variables).strip()
                if not key:
                    problem = f"row {row.number} has an empty key"
                    raise SegmentActionError(
                        self._action, self._field, problem + row.key.filled_from()
                    )
                placed.put(result, key, row.value(variables))
        except _Unreadable as unreadable:
            raise SegmentActionError(self._action, self._field, f'"{key}" {unreadable}') from None
        return result


class _Unreadable(Exception):
    """A row's value cannot be read as its type; the message says why, after the row's key."""


class _Row:
    """One key/value row, its templates split once and its reading chosen once by its type;
    a row without variables is read when the flow is loaded, not at each message."""

    __slots__ = ("key", "number", "template", "value", "variable")

    def __init__(self, number: int, pair: KeyValue) -> None:
        self.number = number
        self.key = Template(pair.key)
        self.template = Template(pair.value)
        self.variable = variable_name(pair.value) if pair.type is ValueType.VARIABLE else ""
        readers: dict[ValueType, _Reader] = {
            ValueType.VARIABLE: self._variable,
            ValueType.TEXT: self.template.fill,
            ValueType.NUMBER: self._number,
            ValueType.BOOLEAN: self._boolean,
            ValueType.JSON: self._json,
        }
        self.value: _Reader = readers[pair.type]
        if pair.type in _SCALARS and not self.template.uses_variables:
            with suppress(_Unreadable):  # else it says what is wrong at each message
                constant = self.value(_NO_VARIABLES)
                self.value = lambda _variables: constant

    def _variable(self, variables: Mapping[str, object]) -> Any:
        if not self.variable:
            raise _Unreadable("names no variable")
        return variables.get(self.variable)

    def _number(self, variables: Mapping[str, object]) -> Any:
        return self._parsed(variables, parse_number, "a number")

    def _boolean(self, variables: Mapping[str, object]) -> Any:
        return self._parsed(variables, _boolean_of, "a boolean (true/false, yes/no, 1/0)")

    def _parsed(
        self, variables: Mapping[str, object], parse: Callable[[str], Any], kind: str
    ) -> Any:
        """The filled-in text read by `parse`; unreadable, naming `kind`, when it gives None."""
        text = self.template.fill(variables)
        value = parse(text.strip())
        if value is None:
            raise _Unreadable(f'is not {kind}: "{text}"' + self.template.filled_from())
        return value

    def _json(self, variables: Mapping[str, object]) -> Any:
        text = self.template.fill(variables)
        try:
            return orjson.loads(text)
        except orjson.JSONDecodeError as exc:
            problem = f'is not valid JSON ({exc}): "{text}"' + self.template.filled_from()
            raise _Unreadable(problem) from None


# A row's value from the variables.
_Reader = Callable[[Mapping[str, object]], Any]
# Types whose value, read once, can be shared by every message (JSON's objects cannot).
_SCALARS = frozenset({ValueType.TEXT, ValueType.NUMBER, ValueType.BOOLEAN})
_NO_VARIABLES: Mapping[str, object] = MappingProxyType({})


def _boolean_of(text: str) -> bool | None:
    return _BOOLEANS.get(text.lower())


def as_number(value: object) -> int | float | None:
    """A variable's value as a number: a number as it is, text that reads as one; else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return value
    return parse_number(value.strip()) if isinstance(value, str) else None


def parse_number(text: str) -> int | float | None:
    """The number `text` writes (an integer when integral), or None when it is no number."""
    if len(text) <= 18 and text.isascii() and text.isdigit():  # the usual answer: "3", "42"
        return int(text)
    if "." in text:  # a decimal: "9.99" is read without the pattern, "-0.5" or "1.5e3" with it
        plain = text.isascii() and text.replace(".", "", 1).isdigit()
        if not (plain or _DECIMAL.fullmatch(text)):
            return None
    elif len(text) <= 20 and _INTEGER.fullmatch(text):  # longer: beyond 64 bits, so a float
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
