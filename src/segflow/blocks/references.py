"""What a block's options refer to: variables (for the flow's checks) and exits.

Found from the options themselves, so no block lists its fields twice: every text may hold
`{{variable}}` templates; a field marked `ui: variable` names a variable; one marked
`ui: expression` is an expression; a Variable-typed key/value row names a variable.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from segflow.blocks.base import BlockOptions, Exit
from segflow.blocks.expressions import ExpressionError, parse_expression
from segflow.segment import KeyValue, ValueType, variable_name, variables_in


@dataclass(frozen=True, slots=True)
class VariableUse:
    field: str  # the field's title, e.g. "Conditions #2 › Comparisons #1 › Variable"
    name: str


def variable_uses(options: BaseModel) -> list[VariableUse]:
    """Every variable the options read or write, with the field it is in."""
    return list(_model_uses(options, ""))


def exits_of(options: BaseModel) -> list[tuple[str, Exit]]:
    """The exits the options hold beside the block's `next`, each with a label."""
    return options.exits() if isinstance(options, BlockOptions) else []


def _model_uses(model: BaseModel, path: str) -> Iterator[VariableUse]:
    for name, info in type(model).model_fields.items():
        title = info.title or name
        where = f"{path} › {title}" if path else title
        extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
        yield from _value_uses(getattr(model, name), where, extra.get("ui"))


def _value_uses(value: Any, where: str, ui: Any) -> Iterator[VariableUse]:
    if isinstance(value, KeyValue):
        yield from _key_value_uses(value, where)
    elif isinstance(value, BaseModel):
        yield from _model_uses(value, where)
    elif isinstance(value, list):
        for number, item in enumerate(value, start=1):
            yield from _value_uses(item, f"{where} #{number}", ui)
    elif isinstance(value, str):
        yield from _text_uses(value, where, ui)


def _text_uses(text: str, where: str, ui: Any) -> Iterator[VariableUse]:
    if ui == "variable":
        if text.strip():
            yield VariableUse(where, variable_name(text))
    elif ui == "expression":
        try:
            names = parse_expression(text).variables
        except ExpressionError:
            names = []  # reported by the block's own validation
        for name in names:
            yield VariableUse(where, name)
    else:
        for name in variables_in(text):
            yield VariableUse(where, name)


def _key_value_uses(row: KeyValue, where: str) -> Iterator[VariableUse]:
    for name in variables_in(row.key):
        yield VariableUse(f"{where} › Key", name)
    if row.type is ValueType.VARIABLE:
        if row.value.strip():
            yield VariableUse(f'{where} "{row.key}"', variable_name(row.value))
    else:
        for name in variables_in(row.value):
            yield VariableUse(f'{where} "{row.key}"', name)
