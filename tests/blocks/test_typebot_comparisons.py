"""Each Condition operator gives what Typebot's gives, for values as Typebot keeps them."""

import re

import pytest

from segflow.blocks.comparisons import Operator
from segflow.blocks.patterns import PatternError
from segflow.blocks.typebot_comparisons import TypebotValue, compare_as_typebot
from segflow.blocks.typebot_values import guessed, js_number, stored


def search(pattern: str, text: str) -> bool:
    try:
        return re.search(pattern, text) is not None
    except re.error as error:
        raise PatternError(str(error)) from None


CASES: list[tuple[TypebotValue, Operator, TypebotValue, bool]] = [
    ("Ada", Operator.EQUALS, "Ada", True),
    ("ada", Operator.EQUALS, "Ada", False),  # case counts
    (" Ada", Operator.EQUALS, "Ada", False),  # so do spaces
    ("5.0", Operator.EQUALS, "5", False),  # text, not numbers
    (None, Operator.EQUALS, "", False),
    (None, Operator.EQUALS, None, True),  # compared with "null"
    ("ada", Operator.NOT_EQUALS, "Ada", True),
    (["red", "blue"], Operator.EQUALS, "red", False),  # every item must equal it
    (["red", "red"], Operator.EQUALS, "red", True),
    ("Hello World", Operator.CONTAINS, " world ", True),  # case and spaces ignored
    ("Hello", Operator.CONTAINS, "", False),
    (None, Operator.CONTAINS, "a", False),
    (["red", "blue"], Operator.CONTAINS, "blue", True),
    (["red", "blue"], Operator.CONTAINS, "Blue", False),  # items compare exactly
    ("Hello", Operator.NOT_CONTAINS, "", True),
    (["red", "blue"], Operator.NOT_CONTAINS, "green", True),
    (["red", "blue"], Operator.NOT_CONTAINS, "red", False),
    ("10", Operator.GREATER_THAN, "9", True),  # numbers
    ("abcd", Operator.GREATER_THAN, "3", True),  # text: its length
    ("2024-03-07", Operator.GREATER_THAN, "2024-01-31", True),  # dates
    ("", Operator.LESS_THAN, "1", True),  # blank text is 0
    (None, Operator.GREATER_THAN, "1", False),
    (["a", "b", "c"], Operator.GREATER_OR_EQUAL, "3", True),  # a list: its length
    ("2", Operator.LESS_OR_EQUAL, ["a", "b"], True),
    (" ", Operator.IS_SET, None, True),  # a space is set
    ("", Operator.IS_SET, None, False),
    ([], Operator.IS_EMPTY, None, True),
    (None, Operator.IS_EMPTY, None, True),
    ("Ada Lovelace", Operator.STARTS_WITH, " ada", True),
    ("Ada Lovelace", Operator.ENDS_WITH, "LACE", True),
    ("Ada", Operator.STARTS_WITH, "", False),
    ("ABC-123", Operator.MATCHES_REGEX, "/^abc-\\d+$/i", True),
    ("ABC-123", Operator.MATCHES_REGEX, "^abc", False),  # case counts without the i flag
    ("ABC", Operator.MATCHES_REGEX, "(", False),  # an invalid pattern matches nothing
    ("ABC", Operator.NOT_MATCHES_REGEX, "^x", True),
    ("", Operator.NOT_MATCHES_REGEX, "^x", False),
]


@pytest.mark.parametrize(("variable", "operator", "value", "expected"), CASES)
def test_each_operator_as_typebot(
    variable: TypebotValue, operator: Operator, value: TypebotValue, expected: bool
) -> None:
    assert compare_as_typebot(variable, operator, value, search=search) is expected


def test_an_invalid_pattern_that_must_not_match_is_an_error() -> None:
    with pytest.raises(PatternError):
        compare_as_typebot("ABC", Operator.NOT_MATCHES_REGEX, "(", search=search)


def test_values_read_as_typebot_reads_them() -> None:
    assert [guessed(v) for v in ["15", "1.5", "0", "0.5", "007", "+33", "true", "", "x"]] == [
        15,
        1.5,
        0,
        0.5,
        "007",
        "+33",
        True,
        0,
        "x",
    ]
    assert (js_number(" 12 "), js_number("0x10"), js_number("1e3"), js_number("12a")) == (
        12,
        16,
        1000,
        None,
    )
    assert (stored(20), stored(True), stored(None), stored([1, None])) == (
        "20",
        "true",
        None,
        ["1", None],
    )
