"""The Set variable expression language: what builders can compute, and what it refuses."""

from __future__ import annotations

import pytest

from segflow.blocks.expressions import ExpressionError, parse_expression


def value(source: str, **variables: object) -> object:
    return parse_expression(source).evaluate(variables)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("1 + 2 * 3", 7),
        ("(1 + 2) * 3", 9),
        ("7 / 2", 3.5),
        ("6 / 3", 2),  # an even division is a whole number
        ("17 % 5", 2),
        ("-2 * -3", 6),
        ("10 - 2 - 3", 5),  # left to right
        ("round(2.5)", 3),  # half up, as people round
        ("round(2.345, 2)", 2.35),
        ("1 < 2 and 2 < 3", True),
        ("not 1 == 1 or 2 >= 3", False),
        ("'a' != 'b'", True),
        ("true and not false", True),
    ],
)
def test_arithmetic_comparison_and_logic_follow_the_usual_precedence(
    source: str, expected: object
) -> None:
    assert value(source) == expected


def test_variables_are_read_by_name_or_in_braces() -> None:
    assert value("price * quantity", price=2.5, quantity=4) == 10
    assert value("{{first-name}} + '!'", **{"first-name": "Ada"}) == "Ada!"


def test_plus_adds_numbers_and_joins_text() -> None:
    assert value("age + 1", age=41) == 42
    assert value("age + 1", age="41") == "411"  # a Text input's answer is text…
    assert value("number(age) + 1", age="41") == 42  # …so convert it to add
    assert value("age * 2 - 1", age="41") == 81  # other operators need no conversion
    assert value("'Room ' + 101") == "Room 101"
    assert value("greeting + ', ' + name", greeting="Hello", name="Ada") == "Hello, Ada"


def test_text_functions() -> None:
    assert value("upper(trim(name))", name="  ada ") == "ADA"
    assert value("lower('ÀDA')") == "àda"
    assert value("len(name)", name="Ada") == 3
    assert value("len(tags)", tags=["a", "b"]) == 2
    assert value("number('4.50') * 2") == 9
    assert value("text(3) + text(4)") == "34"


def test_numbers_compare_as_numbers_even_when_typed_as_text() -> None:
    assert value("seats >= 10", seats="9") is False
    assert value("seats >= 10", seats="12") is True
    assert value("plan == 'pro'", plan="pro") is True


def test_it_lists_the_variables_it_reads() -> None:
    assert parse_expression("round(a * b, 2) + a + {{c-d}}").variables == ["a", "b", "c-d"]


@pytest.mark.parametrize(
    ("source", "problem"),
    [
        ("name.upper()", "attribute access ('.') is not allowed"),
        ("name.__class__", "attribute access ('.') is not allowed"),
        ("__import__('os')", "there is no function '__import__'"),
        ("eval('1')", "there is no function 'eval'"),
        ("open('/etc/passwd')", "there is no function 'open'"),
        ("name()", "there is no function 'name'"),
        ("upper(name)(1)", "unexpected '('"),
        ("items[0]", "indexing ('[') is not allowed"),
        ("lambda: 1", "unexpected ':'"),
        ("a = 1", "compare with '=='"),
        ("2 ** 8", "unexpected '*' at position 4"),
        ("1 < 2 < 3", "comparisons cannot be chained"),
        ("round(1, 2, 3)", "round() takes 1 to 2 arguments, not 3"),
        ("(1 + 2", "is not closed"),
        ("'open", "is not closed"),
        ("", "it is empty"),
        ("-" * 100 + "1", "nested more than 40 levels deep"),
    ],
)
def test_anything_but_its_own_syntax_and_functions_is_refused_when_read(
    source: str, problem: str
) -> None:
    with pytest.raises(ExpressionError) as refused:
        parse_expression(source)
    assert problem in str(refused.value)


@pytest.mark.parametrize(
    ("source", "variables", "problem"),
    [
        ("1 / 0", {}, "cannot divide 1 by zero"),
        ("'a' * 2", {}, "'a' is not a number"),
        ("count + 1", {}, "an empty value (an unset variable?) is not a number"),
        ("round(1.5, 99)", {}, "round() takes 0 to 15 decimal places, not 99"),
    ],
)
def test_what_cannot_be_computed_says_why(
    source: str, variables: dict[str, object], problem: str
) -> None:
    with pytest.raises(ExpressionError) as failed:
        parse_expression(source).evaluate(variables)
    assert str(failed.value) == f"Expression {source!r}: {problem}"
