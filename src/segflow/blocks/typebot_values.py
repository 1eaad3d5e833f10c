"""Variable values as Typebot sees them, for flows with `semantics: typebot`.

Typebot keeps every value as text (or a list of texts). When it computes a Set variable
expression, it first guesses each variable's type: text that reads as a number becomes that
number (so "15" + 5 is 20), "true"/"false" become booleans, and text starting with "0" or "+"
stays text (a phone number, a zip code).
"""

from __future__ import annotations

import math
import re

import orjson

from segflow.segment import as_text

_DECIMAL = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_RADIX = re.compile(r"0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+")
_LARGEST_EXACT = 2**53


def js_number(text: str) -> int | float | None:
    """What JavaScript's Number(text) gives; None where it gives NaN. Blank text is 0."""
    text = text.strip()
    if not text:
        return 0
    if text in ("Infinity", "+Infinity", "-Infinity"):
        return math.inf if not text.startswith("-") else -math.inf
    if _RADIX.fullmatch(text):
        return int(text, 0)
    if not _DECIMAL.fullmatch(text):
        return None
    number = float(text)
    return int(number) if number.is_integer() and abs(number) < _LARGEST_EXACT else number


def guessed(value: object) -> object:
    """A variable's value as Typebot hands it to an expression."""
    if not isinstance(value, str):
        return value
    if (value.startswith("0") and not value.startswith("0.") and len(value) > 1) or (
        value.startswith("+")
    ):
        return value
    if value in ("true", "false"):
        return value == "true"
    if value in ("null", "undefined"):
        return None
    number = js_number(value)
    return value if number is None or not math.isfinite(number) else number


def stored(value: object) -> str | list[str | None] | None:
    """A value as Typebot keeps it: text, a list of texts, or nothing."""
    if value is None:
        return None
    if isinstance(value, list):
        return [None if item is None else _text(item) for item in value]
    return _text(value)


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return orjson.dumps(value, default=str).decode()
    return as_text(value)
