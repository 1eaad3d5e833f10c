"""Set variable expressions cannot blow up: every value stays within the limits, or the
expression fails with an ExpressionError that says why; nothing else, and no huge allocation."""

from __future__ import annotations

import math
import tracemalloc
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from segflow.blocks.expressions import (
    EXACT_INTEGERS,
    FUNCTIONS,
    ExpressionError,
    TextTooLongError,
    parse_expression,
)
from segflow.limits import DEFAULT_LIMITS

SMALL = DEFAULT_LIMITS.model_copy(update={"max_variable_bytes": 200})
NAMES = ["a", "b", "n", "s"]


def value(source: str, **variables: object) -> object:
    return parse_expression(source).evaluate(variables)


def test_joined_text_is_refused_before_it_is_built() -> None:
    source = " + ".join(["s"] * 400)  # 400 times 16,000 bytes: 6.4 MB if it were built
    tracemalloc.start()
    try:
        with pytest.raises(TextTooLongError) as refused:
            parse_expression(source).evaluate({"s": "x" * 16_000})
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert refused.value.size == 32_000
    assert refused.value.problem == (
        "it would make a text of 32,000 bytes; the limit is 16,384 (SEGFLOW_MAX_VARIABLE_BYTES)"
    )
    assert peak < 1_000_000  # the parsed expression; the text is never built


def test_the_text_limit_counts_bytes_as_saved_in_utf8() -> None:
    assert value("s + s", s="é" * 4_000) == "é" * 8_000  # 16,000 bytes
    with pytest.raises(TextTooLongError):
        value("s + s + s", s="é" * 4_000)


def test_whole_numbers_past_2_to_the_53_become_decimal_numbers_as_in_javascript() -> None:
    assert value("n * 2", n=2**52) == 2**53
    assert value("n * 4", n=2**52) == float(2**54)
    assert isinstance(value("n * 4", n=2**52), float)
    assert value("12345678901234567890") == 1.2345678901234567e19
    assert value("number(n)", n="9" * 30) == 1e30


def test_a_number_too_large_for_any_float_is_an_error() -> None:
    with pytest.raises(ExpressionError, match="the result is too large"):
        value("n * n", n=1e200)
    with pytest.raises(ExpressionError, match="is not a number"):
        value("number(n) + 1", n="9" * 5_000)


def test_round_keeps_a_number_too_large_to_have_decimals() -> None:
    assert value("round(n, 2)", n=1e300) == 1e300
    assert value("round(n)", n=2.5e15) == 2.5e15


def test_no_function_repeats_or_pads_text() -> None:
    assert set(FUNCTIONS) == {"upper", "lower", "trim", "len", "round", "number", "text"}
    with pytest.raises(ExpressionError, match="is not a number"):
        value("'ab' * 1000")


# -- any expression ------------------------------------------------------------------------


def _text_literal(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


_ATOMS = st.one_of(
    st.integers(min_value=0, max_value=10**25).map(str),
    st.floats(min_value=0, allow_nan=False, allow_infinity=False).map(repr),
    st.text(max_size=30).map(_text_literal),
    st.sampled_from([*NAMES, "true", "false", "{{s}}"]),
)
_OPERATORS = ["+", "-", "*", "/", "%", "==", "!=", "<", "<=", ">", ">=", "and", "or"]


def _expressions(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.one_of(
        st.tuples(children, st.sampled_from(_OPERATORS), children).map(
            lambda parts: f"({parts[0]} {parts[1]} {parts[2]})"
        ),
        st.tuples(st.sampled_from(["-", "not "]), children).map("".join),
        st.tuples(
            st.sampled_from(["upper", "lower", "trim", "len", "number", "text"]), children
        ).map(lambda parts: f"{parts[0]}({parts[1]})"),
        st.tuples(children, children).map(lambda parts: f"round({parts[0]}, {parts[1]})"),
    )


EXPRESSIONS = st.recursive(_ATOMS, _expressions, max_leaves=40)
JSON_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**63) + 1, max_value=2**63 - 1),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=50),  # at most 200 bytes in UTF-8: within SMALL's limit
)
VALUES = st.one_of(
    JSON_SCALARS, st.lists(st.integers(-1000, 1000) | st.text(max_size=5), max_size=4)
)
VARIABLES = st.fixed_dictionaries({name: VALUES for name in NAMES})


def _within_limits(result: Any) -> bool:
    if isinstance(result, str):
        return len(result.encode("utf-8", "surrogatepass")) <= SMALL.max_variable_bytes
    if isinstance(result, bool) or result is None:
        return True
    if isinstance(result, int):
        return abs(result) <= EXACT_INTEGERS
    if isinstance(result, float):
        return math.isfinite(result)
    return isinstance(result, list)  # a variable's own (bounded) value, as it is


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(source=EXPRESSIONS, variables=VARIABLES)
def test_any_expression_computes_a_value_within_the_limits_or_says_why_not(
    source: str, variables: dict[str, Any]
) -> None:
    tracemalloc.start()
    try:
        try:
            result = parse_expression(source).evaluate(variables, limits=SMALL)
        except ExpressionError:
            return
        finally:
            _current, peak = tracemalloc.get_traced_memory()
            assert peak < 2_000_000  # parsing and computing, never megabytes of values
    finally:
        tracemalloc.stop()
    assert _within_limits(result), (source, result)


@settings(max_examples=300, deadline=None)
@given(source=st.text(alphabet="0123456789.eE+-*/%()<>=! andortuplewsfx'\"{}_,", max_size=60))
def test_any_text_parses_or_is_refused_with_an_expression_error(source: str) -> None:
    try:
        expression = parse_expression(source)
    except ExpressionError:
        return
    try:
        result = expression.evaluate({}, limits=SMALL)
    except ExpressionError:
        return
    assert _within_limits(result), (source, result)
