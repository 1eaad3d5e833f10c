"""`{{variable}}` templates: every text a chatbot builder types into a Segment action."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

import orjson

# A name is anything but braces and whitespace, so `{{ user.email }}` and `{{plan-id}}` work.
_PLACEHOLDER = re.compile(r"\{\{\s*([^{}\s]+)\s*\}\}")


def fill(
    text: str,
    variables: Mapping[str, object],
    *,
    written: Callable[[object], str] | None = None,
) -> str:
    """`text` with each `{{name}}` replaced by that variable's value ("" when unset), written
    by `written` (default: `as_text`), e.g. escaped for JSON."""
    if "{{" not in text:  # the common case: plain text, no regex work
        return text
    write = written or as_text
    return _PLACEHOLDER.sub(lambda match: write(variables.get(match.group(1))), text)


def variables_in(text: str) -> list[str]:
    """The variable names `text` refers to, in order of first use, each once."""
    return list(dict.fromkeys(_PLACEHOLDER.findall(text)))


def variable_name(reference: str) -> str:
    """The name in a reference to one variable, written either `name` or `{{name}}`."""
    reference = reference.strip()
    match = _PLACEHOLDER.fullmatch(reference)
    return match.group(1) if match else reference


def filled_from(template: str) -> str:
    """The note ` (filled in from "{{x}}")` for an error message, if `template` uses variables."""
    return f' (filled in from "{template}")' if _PLACEHOLDER.search(template) else ""


def as_text(value: object) -> str:
    """How a variable's value reads inside text: objects and lists as compact JSON."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, dict | list | tuple):
        return orjson.dumps(value, default=str, option=orjson.OPT_NON_STR_KEYS).decode()
    return str(value)
