"""HTTPie-style values on the command line: `key=text` and `key:=json`."""

from __future__ import annotations

import orjson

from segflow.errors import SegflowError
from segflow.segment import KeyValue, ValueType


def parse_pairs(option: str, items: list[str] | None) -> list[KeyValue]:
    pairs = []
    for item in items or []:
        if ":=" in item and item.index(":=") < item.index("=") + 1:
            key, value = item.split(":=", 1)
            kind = ValueType.JSON
        elif "=" in item:
            key, value = item.split("=", 1)
            kind = ValueType.TEXT
        else:
            raise SegflowError(
                f"{option} {item!r} needs the form key=text or key:=json, e.g. plan=pro or age:=42"
            )
        pairs.append(KeyValue(key=key, value=value, type=kind))
    return pairs


def parse_variables(items: list[str] | None) -> dict[str, object]:
    variables: dict[str, object] = {}
    for pair in parse_pairs("--var", items):
        if pair.type is ValueType.TEXT:
            variables[pair.key] = pair.value
            continue
        try:
            variables[pair.key] = orjson.loads(pair.value)
        except orjson.JSONDecodeError as error:
            raise SegflowError(f"--var {pair.key}:= is not valid JSON: {error}") from error
    return variables
