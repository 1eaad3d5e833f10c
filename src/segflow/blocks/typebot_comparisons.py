"""The Condition block's comparisons as Typebot makes them, for flows with `semantics: typebot`.

Both sides are Typebot's values: text, a list of texts, or nothing (a number reads as its
text). `equals` is exact (case counts); contains, starts/ends with ignore case and surrounding
spaces; greater/less compare numbers, else dates, else text lengths; a list side is compared
item by item. Written from Typebot's documented behaviour, operator by operator.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable
from datetime import UTC, datetime

from segflow.blocks.comparisons import Operator, Search
from segflow.blocks.patterns import PatternError
from segflow.blocks.typebot_values import js_number

TypebotValue = str | list[str | None] | None
Check = Callable[[str | None, str | None], bool]
_JS_REGEX = re.compile(r"/(.+)/([gimuy]*)", re.DOTALL)


def compare_as_typebot(
    variable: TypebotValue, operator: Operator, value: TypebotValue, *, search: Search
) -> bool:
    """Whether `variable operator value` passes in Typebot (values as `typebot_values.stored`
    gives them; `value` already filled in, None when Typebot reads it as null)."""
    match operator:
        case Operator.EQUALS:
            return _each(lambda a, b: _same(a, b), variable, value)
        case Operator.NOT_EQUALS:
            return _each(lambda a, b: not _same(a, b), variable, value)
        case Operator.CONTAINS if isinstance(variable, list):
            return _each(_item_equals, variable, value, some=True)
        case Operator.CONTAINS:
            return _each(_text_test(str.__contains__, False), variable, value, some=True)
        case Operator.NOT_CONTAINS if isinstance(variable, list):
            return _each(_item_differs, variable, value)
        case Operator.NOT_CONTAINS:
            return _each(_negated(_text_test(str.__contains__, False)), variable, value)
        case Operator.STARTS_WITH:
            return _each(_text_test(str.startswith, False), variable, value)
        case Operator.ENDS_WITH:
            return _each(_text_test(str.endswith, False), variable, value)
        case Operator.IS_SET:
            return variable is not None and len(variable) > 0
        case Operator.IS_EMPTY:
            return variable is None or len(variable) == 0
        case Operator.MATCHES_REGEX:
            return _each(_regex_test(search, lenient=True), variable, value, some=True)
        case Operator.NOT_MATCHES_REGEX:
            return _each(_negated_regex(search), variable, value)
    return _ordered(operator, variable, value)


def _each(check: Check, a: TypebotValue, b: TypebotValue, *, some: bool = False) -> bool:
    """`check` on the two sides; a list side checks each of its items (all, or one if `some`)."""
    over = any if some else all
    if not isinstance(a, list):
        if not isinstance(b, list):
            return check(a, b)
        return over(check(a, item) for item in b)
    if not isinstance(b, list):
        return over(check(item, b) for item in a)
    return over(check(left, right) for left in a for right in b)


def _item_equals(a: str | None, b: str | None) -> bool:
    # Typebot's own quirk: an item and a value that are not both text count as equal
    # when they differ (e.g. an empty item); kept so lists branch as they did there.
    return _same(a, b) if a is not None and b is not None else a != b


def _item_differs(a: str | None, b: str | None) -> bool:
    return not _same(a, b) if a is not None and b is not None else a != b


def _same(a: str | None, b: str | None) -> bool:
    if a is not None and b is not None:
        return unicodedata.normalize("NFC", a) == unicodedata.normalize("NFC", b)
    return a is None and b is None


def _folded(text: str) -> str:
    return unicodedata.normalize("NFC", text.lower().strip())


def _text_test(test: Callable[[str, str], bool], when_blank: bool) -> Check:
    """A case- and space-insensitive text test; `when_blank` if either side is blank."""

    def check(a: str | None, b: str | None) -> bool:
        if not a or not b:
            return when_blank
        return test(_folded(a), _folded(b))

    return check


def _negated(check: Check) -> Check:
    def negated(a: str | None, b: str | None) -> bool:
        return True if not a or not b else not check(a, b)

    return negated


def _pattern(written: str) -> str:
    """/pattern/flags as Python writes it; any other text is the pattern itself."""
    slashed = _JS_REGEX.fullmatch(written)
    if not slashed:
        return written
    flags = "".join(flag for flag in slashed.group(2) if flag in "im")
    return f"(?{flags}){slashed.group(1)}" if flags else slashed.group(1)


def _regex_test(search: Search, *, lenient: bool) -> Check:
    def check(a: str | None, b: str | None) -> bool:
        if not a or not b:
            return False
        try:
            return search(_pattern(b), a)
        except PatternError:
            if lenient:  # Typebot takes a pattern it cannot read as no match
                return False
            raise

    return check


def _negated_regex(search: Search) -> Check:
    matches = _regex_test(search, lenient=False)
    return lambda a, b: False if not a or not b else not matches(a, b)


_ORDER: dict[Operator, Callable[[float, float], bool]] = {
    Operator.GREATER_THAN: lambda a, b: a > b,
    Operator.GREATER_OR_EQUAL: lambda a, b: a >= b,
    Operator.LESS_THAN: lambda a, b: a < b,
    Operator.LESS_OR_EQUAL: lambda a, b: a <= b,
}


def _ordered(operator: Operator, a: TypebotValue, b: TypebotValue) -> bool:
    """Greater/less: text as a number, else a date, else its length; a list as its length."""
    if a is None or b is None:
        return False
    if isinstance(a, str) and isinstance(b, str):
        left, right = _measure(a), _measure(b)
    elif isinstance(a, str):
        left, right = _number_or_nan(a), len(b)
    elif isinstance(b, str):
        left, right = len(a), _number_or_nan(b)
    else:
        left, right = len(a), len(b)
    return _ORDER[operator](left, right)


def _number_or_nan(text: str) -> float:
    number = js_number(text)
    return math.nan if number is None else number


def _measure(text: str) -> float:
    number = None if text.startswith("+") else js_number(text)
    if number is not None:
        return number
    when = _date(text)
    return when if when is not None else len(text)


def _date(text: str) -> float | None:
    """Milliseconds since 1970 of an ISO 8601 date (time zone: UTC when none is given)."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp() * 1000
