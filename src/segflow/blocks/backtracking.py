"""Regular expressions known to backtrack: a repetition whose text can be split in many ways.

`^(a+)+$` on "aaaa…b" tries every way to cut the a's between the two `+` before it fails:
twice as many for each more "a". Such a pattern is found by reading it, before any chat runs:
inside a repeated group, a part that repeats (or is optional, or has alternatives) and can
match the very characters that come after it (the rest of the group, or the group again).
`(a+)+`, `(a|a)*`, `(.*)*`, `(\\w+\\s?)+` are; `(\\d+\\.)+` and `(com|org)+` are not. It is a
heuristic: it finds the usual shapes, it cannot prove a pattern safe.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Sequence
from typing import Any

_parser: Any = importlib.import_module("re._parser")  # Python's own reader of patterns, unstubbed

# The characters that stand for every character when sets are compared: ASCII, and a few
# others that classes such as \w, \d or \s (or their negations) hold.
_ALPHABET = frozenset([*map(chr, range(128)), "é", "ß", "中", "٣", "\u00a0", "\u2028"])
_CATEGORIES = {
    "CATEGORY_DIGIT": r"\d",
    "CATEGORY_NOT_DIGIT": r"\D",
    "CATEGORY_SPACE": r"\s",
    "CATEGORY_NOT_SPACE": r"\S",
    "CATEGORY_WORD": r"\w",
    "CATEGORY_NOT_WORD": r"\W",
    "CATEGORY_LINEBREAK": r"\n",
    "CATEGORY_NOT_LINEBREAK": r"[^\n]",
}
_LOOP = 10  # a repetition of at least this many times is a loop worth checking
_ZERO_WIDTH = {"AT", "ASSERT", "ASSERT_NOT"}
_REPEATS = {"MAX_REPEAT", "MIN_REPEAT"}  # possessive repeats never backtrack

Items = Sequence[tuple[Any, Any]]


def backtracks(pattern: str) -> bool:
    """Whether the pattern has a repetition that can match the same text in many ways.

    A pattern Python's `re` cannot read (syntax only the `regex` package knows) is not
    judged: False."""
    try:
        return _has_ambiguous_loop(_parser.parse(pattern).data)
    except (re.error, RecursionError):
        return False


def _has_ambiguous_loop(items: Items) -> bool:
    for op, argument in items:
        name = str(op)
        if name in _REPEATS:
            _low, high, body = argument
            if high >= _LOOP and _ambiguous(body, _first(body)[0]):
                return True
        if any(_has_ambiguous_loop(child) for child in _children(name, argument)):
            return True
    return False


def _ambiguous(items: Items, after: frozenset[str]) -> bool:
    """Whether some part of `items`, followed by characters of `after`, can end in more
    than one place: a repeat or an optional part that can take the characters after it, or
    alternatives that can start alike."""
    flat = _inline(items)
    for index, (op, argument) in enumerate(flat):
        name = str(op)
        rest, rest_can_be_empty = _first(flat[index + 1 :])
        follow = rest | after if rest_can_be_empty else rest
        if name in _REPEATS:
            low, high, body = argument
            if low < high and _first(body)[0] & follow:
                return True
        elif name == "BRANCH":
            alternatives = argument[1]
            if _alternatives_overlap(alternatives, follow):
                return True
            if any(_ambiguous(alternative, follow) for alternative in alternatives):
                return True
    return False


def _alternatives_overlap(alternatives: Sequence[Items], follow: frozenset[str]) -> bool:
    firsts = [_first(alternative) for alternative in alternatives]
    empty = sum(can_be_empty for _chars, can_be_empty in firsts)
    if empty >= 2 or (empty and any(chars & follow for chars, _empty in firsts)):
        return True
    seen: set[str] = set()
    for chars, _empty in firsts:
        if chars & seen:
            return True
        seen |= chars
    return False


def _inline(items: Items) -> list[tuple[Any, Any]]:
    """The items with plain groups' contents in their place: (ab)c reads as abc."""
    flat: list[tuple[Any, Any]] = []
    for op, argument in items:
        if str(op) == "SUBPATTERN":
            flat += _inline(argument[3])
        else:
            flat.append((op, argument))
    return flat


def _first(items: Items) -> tuple[frozenset[str], bool]:
    """The characters `items` can start with, and whether they can match nothing."""
    chars: frozenset[str] = frozenset()
    for op, argument in items:
        item_chars, can_be_empty = _first_of(str(op), argument)
        chars |= item_chars
        if not can_be_empty:
            return chars, False
    return chars, True


def _first_of(name: str, argument: Any) -> tuple[frozenset[str], bool]:
    match name:
        case "LITERAL":
            return frozenset([chr(argument)]), False
        case "NOT_LITERAL":
            return _ALPHABET - {chr(argument)}, False
        case "ANY":
            return _ALPHABET, False
        case "IN":
            return frozenset(c for c in _ALPHABET if _in_class(c, argument)), False
        case "SUBPATTERN":
            return _first(argument[3])
        case "ATOMIC_GROUP":
            return _first(argument)
        case "BRANCH":
            firsts = [_first(alternative) for alternative in argument[1]]
            chars = frozenset().union(*(chars for chars, _empty in firsts))
            return chars, any(empty for _chars, empty in firsts)
        case "MAX_REPEAT" | "MIN_REPEAT" | "POSSESSIVE_REPEAT":
            low, _high, body = argument
            chars, empty = _first(body)
            return chars, empty or low == 0
        case _ if name in _ZERO_WIDTH:
            return frozenset(), True
    return _ALPHABET, True  # a back-reference or a conditional: could be anything


def _in_class(char: str, items: Items) -> bool:
    negate = False
    found = False
    for op, argument in items:
        match str(op):
            case "NEGATE":
                negate = True
            case "LITERAL":
                found |= ord(char) == argument
            case "RANGE":
                found |= argument[0] <= ord(char) <= argument[1]
            case "CATEGORY" if str(argument) in _CATEGORIES:
                found |= re.fullmatch(_CATEGORIES[str(argument)], char) is not None
            case _:
                found = True  # a kind of class item not known here: it may match
    return found != negate


def _children(name: str, argument: Any) -> list[Items]:
    match name:
        case "SUBPATTERN":
            return [argument[3]]
        case "BRANCH":
            return list(argument[1])
        case "MAX_REPEAT" | "MIN_REPEAT" | "POSSESSIVE_REPEAT":
            return [argument[2]]
        case "ASSERT" | "ASSERT_NOT":
            return [argument[1]]
        case "ATOMIC_GROUP":
            return [argument]
    return []
