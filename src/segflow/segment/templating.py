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
    return Template(text).fill(variables, written=written)


class Template:
    """A text split once into its literal pieces and the variables between them, so that
    filling it in, turn after turn, costs no regex work."""

    __slots__ = ("_literals", "_names", "_only", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        pieces = _PLACEHOLDER.split(text) if "{{" in text else [text]
        self._literals = pieces[0::2]  # one more than the names: text around each of them
        self._names = pieces[1::2]
        # The name of a template that is one variable and nothing else: "{{plan}}".
        self._only = self._names[0] if self._literals == ["", ""] else None

    @property
    def uses_variables(self) -> bool:
        return bool(self._names)

    def fill(
        self, variables: Mapping[str, object], *, written: Callable[[object], str] | None = None
    ) -> str:
        """The text filled in, as the function `fill` does it."""
        if (only := self._only) is not None and written is None:  # the usual template
            value = variables.get(only)
            return value if type(value) is str else as_text(value)
        names = self._names
        if not names:
            return self.text
        literals, write = self._literals, written or as_text
        if len(names) == 1:  # the usual template: "{{plan}}", "Order {{id}}"
            return literals[0] + write(variables.get(names[0])) + literals[1]
        out = [literals[0]]
        for name, literal in zip(names, literals[1:], strict=True):
            out.append(write(variables.get(name)))
            out.append(literal)
        return "".join(out)

    def filled_from(self) -> str:
        """The note of `filled_from` for this template."""
        return f' (filled in from "{self.text}")' if self._names else ""


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
