"""Regular expressions in a block's options that are known to backtrack, with their field.

Found from the options themselves (any Comparison, wherever a block holds one), so a chatbot
builder hears of `(a+)+` when checking or publishing the flow, not when a chat stops on it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from segflow.blocks.backtracking import backtracks
from segflow.blocks.comparisons import Comparison


@dataclass(frozen=True, slots=True)
class SlowPattern:
    path: tuple[
        str | int, ...
    ]  # the field's keys in the options: ("items", 0, "comparisons", 0, "value")
    field: str  # its titles: "Conditions #1 › Comparisons #1 › Value"
    pattern: str

    @property
    def problem(self) -> str:
        return (
            f'{self.field}: the regular expression "{self.pattern}" can take very long on some '
            "answers, as a repeated part of it can match the same text in many ways (like "
            "(a+)+, (a|a)* or (.*)*); a turn stops when its regular expressions run out of "
            "time (SEGFLOW_REGEX_TIMEOUT). Let each part match in one way only, e.g. ^a+$"
        )


def slow_patterns(options: BaseModel) -> list[SlowPattern]:
    """Every regular expression of the options that backtracks."""
    return list(_in_model(options, (), ""))


def _in_model(model: BaseModel, path: tuple[str | int, ...], titles: str) -> Iterator[SlowPattern]:
    if isinstance(model, Comparison):
        if model.is_regex and "{{" not in model.value and backtracks(model.value):
            title = type(model).model_fields["value"].title or "Value"
            where = f"{titles} › {title}" if titles else title
            yield SlowPattern((*path, "value"), where, model.value)
        return
    for name, info in type(model).model_fields.items():
        key = info.alias or name
        title = info.title or key
        yield from _in_value(
            getattr(model, name), (*path, key), f"{titles} › {title}" if titles else title
        )


def _in_value(value: Any, path: tuple[str | int, ...], titles: str) -> Iterator[SlowPattern]:
    if isinstance(value, BaseModel):
        yield from _in_model(value, path, titles)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _in_value(item, (*path, index), f"{titles} #{index + 1}")
