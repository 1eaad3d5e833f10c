"""The Condition block's comparisons: a variable, an operator, and a value to compare with."""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum

from pydantic import Field, model_validator

from segflow.blocks.base import TEMPLATE, VARIABLE, BlockOptions
from segflow.blocks.patterns import PatternError, check_pattern
from segflow.segment import as_number, as_text


class Operator(StrEnum):
    EQUALS = "equals"
    NOT_EQUALS = "notEquals"
    CONTAINS = "contains"
    NOT_CONTAINS = "notContains"
    GREATER_THAN = "greaterThan"
    GREATER_OR_EQUAL = "greaterOrEqual"
    LESS_THAN = "lessThan"
    LESS_OR_EQUAL = "lessOrEqual"
    IS_SET = "isSet"
    IS_EMPTY = "isEmpty"
    STARTS_WITH = "startsWith"
    ENDS_WITH = "endsWith"
    MATCHES_REGEX = "matchesRegex"
    NOT_MATCHES_REGEX = "notMatchesRegex"


_TAKES_NO_VALUE = {Operator.IS_SET, Operator.IS_EMPTY}
_REGEX = {Operator.MATCHES_REGEX, Operator.NOT_MATCHES_REGEX}


class Comparison(BlockOptions):
    """`variable operator value`, e.g. plan equals pro. Text compares ignoring case."""

    variable: str = Field(min_length=1, title="Variable", json_schema_extra=VARIABLE)
    operator: Operator = Field(Operator.EQUALS, title="Operator")
    value: str = Field(
        "",
        title="Value",
        description="May use {{variables}}. Not used by isSet and isEmpty.",
        json_schema_extra=TEMPLATE,
    )

    @property
    def is_regex(self) -> bool:
        return self.operator in _REGEX

    @model_validator(mode="after")
    def _regex_compiles(self) -> Comparison:
        if self.operator in _REGEX and "{{" not in self.value:
            try:
                check_pattern(self.value)
            except PatternError as error:
                raise ValueError(f"Value is not a valid regular expression: {error}") from None
        return self


Search = Callable[[str, str], bool]
"""Whether a regular expression (first) matches somewhere in a text (second)."""


def compare(variable: object, operator: Operator, value: str, *, search: Search) -> bool:
    """Whether `variable` (the variable's value) passes; `value` is already filled in.

    Numbers compare as numbers when both sides are numbers; a greater/less comparison of
    anything else is false. A list variable contains a value when one of its items equals it.
    Regular expressions run with `search` (the turn's, which limits their time); an invalid
    one (after filling in) raises PatternError.
    """
    if operator in _TAKES_NO_VALUE:
        empty = variable is None or as_text(variable).strip() == "" or variable in ([], {})
        return empty if operator is Operator.IS_EMPTY else not empty
    if operator in _REGEX:
        found = search(value, as_text(variable))
        return found if operator is Operator.MATCHES_REGEX else not found
    return _CHECKS[operator](variable, value)


def _text(value: object) -> str:
    return as_text(value).casefold()


def _equals(variable: object, value: str) -> bool:
    left, right = as_number(variable), as_number(value)
    if left is not None and right is not None:
        return left == right
    return _text(variable).strip() == _text(value).strip()


def _contains(variable: object, value: str) -> bool:
    if isinstance(variable, list):
        return any(_equals(item, value) for item in variable)
    return _text(value) in _text(variable)


def _ordered(test: Callable[[float, float], bool]) -> Callable[[object, str], bool]:
    def check(variable: object, value: str) -> bool:
        left, right = as_number(variable), as_number(value)
        return left is not None and right is not None and test(left, right)

    return check


_CHECKS: dict[Operator, Callable[[object, str], bool]] = {
    Operator.EQUALS: _equals,
    Operator.NOT_EQUALS: lambda variable, value: not _equals(variable, value),
    Operator.CONTAINS: _contains,
    Operator.NOT_CONTAINS: lambda variable, value: not _contains(variable, value),
    Operator.GREATER_THAN: _ordered(lambda a, b: a > b),
    Operator.GREATER_OR_EQUAL: _ordered(lambda a, b: a >= b),
    Operator.LESS_THAN: _ordered(lambda a, b: a < b),
    Operator.LESS_OR_EQUAL: _ordered(lambda a, b: a <= b),
    Operator.STARTS_WITH: lambda variable, value: _text(variable).startswith(_text(value)),
    Operator.ENDS_WITH: lambda variable, value: _text(variable).endswith(_text(value)),
}
