"""What segflow can store and send: text and JSON values that SQLite and PostgreSQL alike
take, and orjson writes (every saved state, flow document and Segment message).

Text holds neither NUL characters (PostgreSQL refuses them) nor lone surrogates (not Unicode:
no UTF-8 encoder takes them); numbers are finite, integers fit in 64 bits; JSON nests at most
MAX_DEPTH levels and holds JSON types only (and the dates and times YAML reads).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import date, time
from typing import Any

from sqlalchemy import Column, String

from segflow.store.tables import chat_sessions, destinations, flows

MAX_DEPTH = 32  # objects and arrays within each other; orjson writes at most 254
MIN_INTEGER, MAX_INTEGER = -(2**63), 2**63 - 1  # a BIGINT in PostgreSQL, an INTEGER in SQLite


def text_problem(text: str) -> str | None:
    """Why `text` cannot be stored, or None."""
    if "\x00" in text:
        return "a NUL character (\\u0000) is not allowed"
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as error:
        code = ord(text[error.start])
        return f"not valid Unicode: a lone surrogate (\\u{code:04x})"
    return None


def json_problems(value: Any, whole: str = "The value") -> Iterator[str]:
    """Each problem of a JSON value (as a JSON or YAML parser gives it), as `where: what`,
    where is the path to it (`prefilledVariables.name.0`), or `whole` for the value itself."""
    # Depth-first with an explicit stack: a deep value never exhausts Python's own stack.
    stack: list[tuple[Any, str, int]] = [(value, "", 0)]
    while stack:
        item, path, depth = stack.pop()
        shown = _safe(path) or whole
        if isinstance(item, str):
            if problem := text_problem(item):
                yield f"{shown}: {problem}"
        elif isinstance(item, bool | date | time) or item is None:
            continue  # orjson writes dates and times (from YAML files) as ISO 8601 text
        elif isinstance(item, int):
            if not MIN_INTEGER <= item <= MAX_INTEGER:
                yield f"{shown}: an integer beyond what segflow stores (-2^63 to 2^63-1)"
        elif isinstance(item, float):
            if not math.isfinite(item):
                yield f"{shown}: not a JSON number ({item})"
        elif isinstance(item, dict | list):
            if depth >= MAX_DEPTH:
                yield f"{shown}: nested deeper than {MAX_DEPTH} levels of objects and arrays"
                continue
            pairs = item.items() if isinstance(item, dict) else enumerate(item)
            children = []
            for key, child in pairs:
                inner = f"{path}.{key}" if path else str(key)
                if isinstance(item, dict) and (problem := _name_problem(key)):
                    yield f"{_safe(inner)} (as a name): {problem}"
                    continue
                children.append((child, inner, depth + 1))
            stack.extend(reversed(children))
        else:
            yield f"{shown}: not a JSON value (a {type(item).__name__})"


def _name_problem(key: object) -> str | None:
    return text_problem(key) if isinstance(key, str) else "not text"


def _safe(path: str) -> str:
    """A field's path as a message may show it: a name's lone surrogates escaped."""
    return path.encode("utf-8", "backslashreplace").decode()


def column_length(column: Column[Any]) -> int:
    """The most characters a String column holds."""
    assert isinstance(column.type, String) and column.type.length is not None
    return column.type.length


ID_LENGTH = column_length(flows.c.id)  # also chat_sessions.anonymous_id, destinations.name
SESSION_ID_LENGTH = column_length(chat_sessions.c.id)
NAME_LENGTH = column_length(flows.c.name)
USER_ID_LENGTH = column_length(chat_sessions.c.user_id)
URL_LENGTH = column_length(destinations.c.endpoint)
