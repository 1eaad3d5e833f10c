"""Which regular expressions a builder is warned about: those known to backtrack."""

from __future__ import annotations

import pytest

from segflow.blocks.backtracking import backtracks


@pytest.mark.parametrize(
    "pattern",
    [
        r"^(a+)+$",  # a repetition inside a repetition
        r"^(a|a)*$",  # alternatives that match alike, repeated
        r"(.*)*",
        r"^(\w+\s?)+$",  # the space is optional, so words can be cut anywhere
        r"(a|aa)+",
        r"(x+x+)+y",
        r"^(a?a)+$",
        r"(x|a+)+",
        r"^([a-zA-Z0-9]{2,4})+$",
    ],
)
def test_patterns_known_to_backtrack_are_found(pattern: str) -> None:
    assert backtracks(pattern)


@pytest.mark.parametrize(
    "pattern",
    [
        r"^[A-Z]-\d+$",
        r"(\d+\.)+\d+",  # each repetition ends at a dot: one way only
        r"(com|org)+",
        r"^\w+@\w+\.\w+$",
        r"(\w|\d)+",  # one character at a time
        r"^(?:\+?1)?\d{10}$",
        r"(a++)+",  # possessive and atomic repetitions never backtrack
        r"(?>a+)+",
        r".*foo.*",
        r"^\s*(yes|no)\s*$",
        r"\p{L}+",  # only the regex package reads it: not judged
    ],
)
def test_patterns_that_match_in_one_way_are_not_warned_about(pattern: str) -> None:
    assert not backtracks(pattern)
