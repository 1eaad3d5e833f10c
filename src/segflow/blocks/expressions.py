"""A small expression language for Set variable, read by its own parser and never eval'd.

    round(price * 1.2, 2)      upper(trim(name))      score >= 10 and not vip
    'Hello ' + name            len({{first-name}})   (count + 1) % 7

Numbers, 'text' or "text", variables by name (or `{{name}}` for names with dashes), true and
false, `+ - * / %`, parentheses, `== != < <= > >=`, `and or not`, and the functions below.
`+` adds numbers and joins text: an answer typed in a Text input is text, so write
number(age) + 1 to add to it. The other operators and comparisons take text that reads
as a number as that number. There is no attribute access, indexing or
call of anything but these functions, so an expression can only compute a value.

Nothing an expression computes can grow past the turn's limits: whole numbers are exact up to
±9,007,199,254,740,991 (2^53, as in JavaScript and every chat window) and become decimal
numbers beyond, as they would in JavaScript; a number too large for that is an error; text is
at most `max_variable_bytes` long, checked before it is joined. Each operator and function
takes time in proportion to its inputs, so an expression's cost is bounded by its length.
"""

from __future__ import annotations

import math
import operator
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from segflow.errors import SegflowError
from segflow.limits import DEFAULT_LIMITS, Limits, setting_name
from segflow.segment import as_number, as_text, parse_number

MAX_LENGTH = 2_000
MAX_DEPTH = 40
EXACT_INTEGERS = 2**53
"""Whole numbers are exact below this; beyond it they become floats (as in JavaScript)."""

Value = str | int | float | bool | None | list[Any] | dict[str, Any]


class ExpressionError(SegflowError):
    """An expression could not be read or computed; says which and why."""

    def __init__(self, source: str, problem: str) -> None:
        self.source = source
        self.problem = problem
        super().__init__(f"Expression {source!r}: {problem}")


class TextTooLongError(ExpressionError):
    """The expression would build a text longer than a variable may hold."""

    def __init__(self, source: str, size: int, limit: int) -> None:
        self.size = size
        problem = (
            f"it would make a text of {size:,} bytes; the limit is {limit:,} "
            f"({setting_name('max_variable_bytes')})"
        )
        super().__init__(source, problem)


# -- reading -------------------------------------------------------------------------------

_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
    | (?P<number>\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|\.\d+)
    | (?P<string>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")
    | (?P<variable>\{\{\s*[^{}\s]+\s*\}\})
    | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
    | (?P<operator>==|!=|<=|>=|[-+*/%<>(),])
    """,
    re.VERBOSE,
)
_KEYWORDS = {"and", "or", "not", "true", "false"}
_COMPARISONS = {"==", "!=", "<", "<=", ">", ">="}
_STRING_ESCAPES = re.compile(r"\\(.)")


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str  # number, string, variable, name, operator, keyword, end
    text: str
    position: int


def _tokens(source: str) -> Iterator[_Token]:
    index = 0
    while index < len(source):
        match = _TOKEN.match(source, index)
        if match is None:
            raise ExpressionError(source, _unexpected(source, index))
        kind = match.lastgroup or ""
        text = match.group()
        if kind == "name" and text in _KEYWORDS:
            kind = "keyword"
        if kind != "space":
            yield _Token(kind, text, index)
        index = match.end()
    yield _Token("end", "", len(source))


def _unexpected(source: str, index: int) -> str:
    character = source[index]
    where = f"at position {index + 1}"
    if character == ".":
        return (
            f"attribute access ('.') is not allowed ({where}); "
            f"use the functions instead, e.g. upper(name)"
        )
    if character in "[]":
        return f"indexing ('{character}') is not allowed ({where})"
    if character == "=":
        return f"'=' is not an operator ({where}); compare with '=='"
    if character in "'\"":
        return f"the text starting {where} is not closed with {character}"
    return f"unexpected {character!r} {where}"


# -- the tree ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Constant:
    value: Value


@dataclass(frozen=True, slots=True)
class _Variable:
    name: str


@dataclass(frozen=True, slots=True)
class _Unary:
    operator: str  # "-" or "not"
    operand: _Node


@dataclass(frozen=True, slots=True)
class _Binary:
    operator: str
    left: _Node
    right: _Node


@dataclass(frozen=True, slots=True)
class _Call:
    function: str
    arguments: tuple[_Node, ...]


_Node = _Constant | _Variable | _Unary | _Binary | _Call


class _Parser:
    """Recursive descent, lowest precedence first: or, and, not, comparison, + -, * / %, -x."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.tokens = list(_tokens(source))
        self.index = 0
        self.depth = 0

    def parse(self) -> _Node:
        node = self.either()
        token = self.peek()
        if token.kind != "end":
            raise self.error(f"unexpected {token.text!r} at position {token.position + 1}")
        return node

    def peek(self) -> _Token:
        return self.tokens[self.index]

    def take(self) -> _Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def accept(self, *texts: str) -> _Token | None:
        token = self.peek()
        if token.kind in ("operator", "keyword") and token.text in texts:
            return self.take()
        return None

    def error(self, problem: str) -> ExpressionError:
        return ExpressionError(self.source, problem)

    def either(self) -> _Node:
        node = self.both()
        while self.accept("or"):
            node = _Binary("or", node, self.both())
        return node

    def both(self) -> _Node:
        node = self.negation()
        while self.accept("and"):
            node = _Binary("and", node, self.negation())
        return node

    def negation(self) -> _Node:
        if self.accept("not"):
            return _Unary("not", self.nested(self.negation))
        return self.comparison()

    def comparison(self) -> _Node:
        node = self.sum()
        if token := self.accept(*_COMPARISONS):
            node = _Binary(token.text, node, self.sum())
            if self.peek().text in _COMPARISONS:
                raise self.error("comparisons cannot be chained; join them with 'and'")
        return node

    def sum(self) -> _Node:
        node = self.product()
        while token := self.accept("+", "-"):
            node = _Binary(token.text, node, self.product())
        return node

    def product(self) -> _Node:
        node = self.unary()
        while token := self.accept("*", "/", "%"):
            node = _Binary(token.text, node, self.unary())
        return node

    def unary(self) -> _Node:
        if self.accept("-"):
            return _Unary("-", self.nested(self.unary))
        if self.accept("+"):
            return self.nested(self.unary)
        return self.primary()

    def nested(self, rule: Callable[[], _Node]) -> _Node:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.error(f"it is nested more than {MAX_DEPTH} levels deep")
        try:
            return rule()
        finally:
            self.depth -= 1

    def primary(self) -> _Node:
        token = self.take()
        match token.kind:
            case "number":
                if (number := parse_number(token.text)) is None:
                    raise self.error(f"{token.text} is too large a number")
                return _Constant(number)
            case "string":
                return _Constant(_STRING_ESCAPES.sub(r"\1", token.text[1:-1]))
            case "variable":
                return _Variable(token.text.strip("{} \t"))
            case "keyword" if token.text in ("true", "false"):
                return _Constant(token.text == "true")
            case "name":
                if self.accept("("):
                    return self.call(token)
                return _Variable(token.text)
            case "operator" if token.text == "(":
                node = self.nested(self.either)
                if not self.accept(")"):
                    raise self.error(f"the '(' at position {token.position + 1} is not closed")
                return node
            case "end":
                raise self.error("it ends where a value is expected")
        raise self.error(f"unexpected {token.text!r} at position {token.position + 1}")

    def call(self, name: _Token) -> _Node:
        function = FUNCTIONS.get(name.text)
        if function is None:
            raise self.error(
                f"there is no function {name.text!r}; the functions are {', '.join(FUNCTIONS)}"
            )
        arguments: list[_Node] = []
        if not self.accept(")"):
            arguments.append(self.nested(self.either))
            while self.accept(","):
                arguments.append(self.nested(self.either))
            if not self.accept(")"):
                raise self.error(f"the '(' of {name.text}( is not closed")
        if not function.least <= len(arguments) <= function.most:
            raise self.error(f"{name.text}() takes {function.arguments}, not {len(arguments)}")
        return _Call(name.text, tuple(arguments))


# -- computing -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Expression:
    """A parsed expression: its variables are known before it runs."""

    source: str
    _tree: _Node

    @property
    def variables(self) -> list[str]:
        """The variable names it reads, in order of first use, each once."""
        return list(dict.fromkeys(_names(self._tree)))

    def evaluate(
        self, variables: Mapping[str, object], *, limits: Limits = DEFAULT_LIMITS
    ) -> Value:
        """The value; raises ExpressionError when it cannot be computed (1 / 0, "a" * 2) or
        would be text longer than `limits.max_variable_bytes`."""
        run = _Evaluation(self.source, variables, limits.max_variable_bytes)
        value = run.value(self._tree)
        if isinstance(value, int | float) and not isinstance(value, bool):
            return run.bounded(value)
        if isinstance(value, str):
            run.check_size(value)
        return value


def parse_expression(source: str) -> Expression:
    """Reads an expression; raises ExpressionError naming what is wrong and where."""
    if not source.strip():
        raise ExpressionError(source, "it is empty")
    if len(source) > MAX_LENGTH:
        raise ExpressionError(source[:40] + "…", f"it is longer than {MAX_LENGTH} characters")
    return Expression(source, _Parser(source).parse())


def _names(node: _Node) -> Iterator[str]:
    match node:
        case _Variable(name):
            yield name
        case _Unary(_, operand):
            yield from _names(operand)
        case _Binary(_, left, right):
            yield from _names(left)
            yield from _names(right)
        case _Call(_, arguments):
            for argument in arguments:
                yield from _names(argument)


class _Evaluation:
    def __init__(self, source: str, variables: Mapping[str, object], max_bytes: int) -> None:
        self.source = source
        self.variables = variables
        self.max_bytes = max_bytes

    def error(self, problem: str) -> ExpressionError:
        return ExpressionError(self.source, problem)

    def too_long(self, size: int) -> ExpressionError:
        return TextTooLongError(self.source, size, self.max_bytes)

    def check_size(self, text: str) -> str:
        if (size := _size(text)) > self.max_bytes:
            raise self.too_long(size)
        return text

    def joined(self, left: str, right: str) -> str:
        """`left + right`, refused before it is built when it would be too long."""
        if (size := _size(left) + _size(right)) > self.max_bytes:
            raise self.too_long(size)
        return left + right

    def bounded(self, number: int | float) -> int | float:
        """An exact whole number, or a float beyond 2^53; an error when too large for a float."""
        if isinstance(number, int) and -EXACT_INTEGERS <= number <= EXACT_INTEGERS:
            return number
        try:
            result = float(number)
        except OverflowError:
            raise self.error("the result is too large") from None
        if not math.isfinite(result):
            raise self.error("the result is too large")
        return _whole(result)

    def value(self, node: _Node) -> Value:
        match node:
            case _Constant(value):
                return value
            case _Variable(name):
                return _json_value(self.variables.get(name))
            case _Unary("not", operand):
                return not _truthy(self.value(operand))
            case _Unary(_, operand):
                return self.bounded(-self.number(self.value(operand)))
            case _Binary("and", left, right):
                return _truthy(self.value(left)) and _truthy(self.value(right))
            case _Binary("or", left, right):
                return _truthy(self.value(left)) or _truthy(self.value(right))
            case _Binary(operator, left, right):
                return self.binary(operator, self.value(left), self.value(right))
            case _Call(function, arguments):
                values = [self.value(argument) for argument in arguments]
                return FUNCTIONS[function].compute(self, *values)
        raise AssertionError(f"unknown expression node {node!r}")

    def binary(self, operator: str, left: Value, right: Value) -> Value:
        if operator in _COMPARISONS:
            return _compare(operator, left, right)
        if operator == "+" and _joins_text(left, right):
            return self.joined(as_text(left), as_text(right))
        a, b = self.number(left), self.number(right)
        if operator in ("/", "%") and b == 0:
            raise self.error(f"cannot divide {as_text(left)} by zero")
        try:  # both sides are at most 2^53 or floats: each operation takes constant time
            result = _ARITHMETIC[operator](a, b)
        except OverflowError:
            raise self.error("the result is too large") from None
        return self.bounded(result)

    def number(self, value: Value) -> int | float:
        number = as_number(value)
        if number is None:
            empty = value in (None, "")
            shown = "an empty value (an unset variable?)" if empty else repr(_shown(value))
            raise self.error(f"{shown} is not a number")
        return self.bounded(number)

    def text(self, value: Value) -> str:
        return self.check_size(as_text(value))


_ARITHMETIC: dict[str, Callable[[Any, Any], int | float]] = {
    "+": operator.add,
    "-": operator.sub,
    "*": operator.mul,
    "/": operator.truediv,
    "%": operator.mod,
}


def _joins_text(left: Value, right: Value) -> bool:
    """`+` joins as soon as one side is text (so text(3) + text(4) is "34"); numbers add."""
    return any(isinstance(value, str | list | dict) for value in (left, right))


def _size(text: str) -> int:
    """Bytes of `text` as UTF-8, without encoding it when it is plain ASCII."""
    return len(text) if text.isascii() else len(text.encode("utf-8", "surrogatepass"))


def _shown(value: Value) -> str:
    """A value as an error message quotes it: long text cut short."""
    text = as_text(value)
    return text if len(text) <= 60 else text[:60] + "…"


def _truthy(value: Value) -> bool:
    return value not in (None, "", 0, False) and value != [] and value != {}


def _whole(number: int | float) -> int | float:
    """3.0 reads as 3: a division that comes out even gives a whole number."""
    if isinstance(number, float) and number.is_integer() and abs(number) < 2**53:
        return int(number)
    return number


def _json_value(value: object) -> Value:
    if value is None or isinstance(value, str | int | float | bool | list | dict):
        return value
    return as_text(value)


def _compare(operator: str, left: Value, right: Value) -> bool:
    """Numbers (or text that is a number) compare as numbers, anything else as text."""
    a: Any = as_number(left)
    b: Any = as_number(right)
    if a is None or b is None:
        a, b = as_text(left), as_text(right)
    return bool(_COMPARE[operator](a, b))


_COMPARE: dict[str, Callable[[Any, Any], Any]] = {
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


# -- the functions -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Function:
    least: int
    most: int
    compute: Callable[..., Value]

    @property
    def arguments(self) -> str:
        if self.least == self.most:
            return f"{self.least} argument" + ("" if self.least == 1 else "s")
        return f"{self.least} to {self.most} arguments"


def _length(_run: _Evaluation, value: Value) -> Value:
    return len(value) if isinstance(value, list | dict) else len(as_text(value))


def _round(run: _Evaluation, value: Value, digits: Value = 0) -> Value:
    places = run.number(digits)
    if not (isinstance(places, int) and 0 <= places <= 15):
        raise run.error(f"round() takes 0 to 15 decimal places, not {_shown(digits)}")
    number = run.number(value)
    if isinstance(number, float) and abs(number) >= 2**52:
        return number  # a float this large has no decimals left to round
    # Half up, as people round by hand: round(2.5) is 3 (Python's own round would give 2).
    rounded = Decimal(str(number)).quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)
    return int(rounded) if places == 0 else _whole(float(rounded))


# upper() and lower() may lengthen text a little ("ß" is "SS"), so their result is checked.
FUNCTIONS: dict[str, _Function] = {
    "upper": _Function(1, 1, lambda run, value: run.check_size(as_text(value).upper())),
    "lower": _Function(1, 1, lambda run, value: run.check_size(as_text(value).lower())),
    "trim": _Function(1, 1, lambda run, value: run.text(value).strip()),
    "len": _Function(1, 1, _length),
    "round": _Function(1, 2, _round),
    "number": _Function(1, 1, lambda run, value: run.number(value)),
    "text": _Function(1, 1, lambda run, value: run.text(value)),
}
