"""Typebot variables under segflow names: options refer to them by id, text by `{{Name}}`.

A segflow name holds no spaces or braces, so `{{name}}` reads back as one name. Typebot names
that are like that are kept; others ("First name") get the nearest such name ("First_name"),
unique in the flow, and keep their Typebot name as an alias for prefilledVariables.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from segflow.importers.report import Finding, FindingKind

Note = Callable[[FindingKind, str], None]
"""Adds a finding about the block being converted."""

_VALID_NAME = re.compile(r"[^{}\s]+")  # as segflow's templates read a name
_INVALID_CHARACTERS = re.compile(r"[{}\s]+")
_REFERENCE = re.compile(r"\{\{(.*?)\}\}")  # as Typebot reads them: anything up to the first }}
_INLINE_CODE = re.compile(r"\{\{=(.*?)=\}\}", re.DOTALL)


class VariableNames:
    """Every variable of the imported flow: Typebot's own, and names text refers to."""

    def __init__(self, variables: Iterable[Any], report: list[Finding]) -> None:
        self._report = report
        self._by_id: dict[str, str] = {}
        self._by_original: dict[str, str] = {}
        self._declared: dict[str, dict[str, Any]] = {}
        usable = [v for v in variables if isinstance(v, Mapping) and isinstance(v.get("id"), str)]
        # Names that are already valid first, so they keep their name when another one has to
        # be renamed to it ("First name" and "First_name").
        for variable in sorted(
            usable, key=lambda v: not _VALID_NAME.fullmatch(str(v.get("name") or ""))
        ):
            original = str(variable.get("name") or "")
            name = self._by_original.get(original) if original else None
            if name is None:
                name = self._declare(original)
                self._declared[name].update(_initial_value(variable))
                if original:
                    self._by_original[original] = name
                if original and original != name:  # prefilledVariables may use Typebot's name
                    self._declared[name]["aliases"] = [original]
            self._by_id[variable["id"]] = name
        in_typebot_order = dict.fromkeys(self._by_id[v["id"]] for v in usable)
        self._declared = {name: self._declared[name] for name in in_typebot_order}

    def name_of(self, variable_id: Any) -> str | None:
        """The segflow name of the Typebot variable with this id, None if there is none."""
        return self._by_id.get(variable_id) if isinstance(variable_id, str) else None

    def template(self, text: Any, note: Note) -> str:
        """Typebot text with each `{{Name}}` written with its segflow name."""
        if not isinstance(text, str):
            return "" if text is None else str(text)
        if "{{=" in text:
            note(
                FindingKind.CHANGED,
                "inline JavaScript {{= … =}} is never run by segflow; it was removed from the text",
            )
            text = _INLINE_CODE.sub("", text)
        return _REFERENCE.sub(
            lambda match: "{{" + self._referenced(match.group(1), note) + "}}", text
        )

    def new(self, wanted: str) -> str:
        """A variable Typebot did not have (an input's answer), named like `wanted` if free."""
        name = _unique(_valid_name(wanted), self._declared)
        self._declared[name] = {"name": name}
        return name

    def native(self) -> list[dict[str, Any]]:
        """The flow's `variables` list."""
        return list(self._declared.values())

    def _referenced(self, original: str, note: Note) -> str:
        # Typebot matches names exactly; `{{ Name }}` is meant as Name, so segflow reads it so.
        name = self._by_original.get(original) or self._by_original.get(original.strip())
        if name is None:
            name = self._declare(original.strip(), report_rename=False)  # the note names it
            self._by_original[original] = name
            note(
                FindingKind.CHANGED,
                f"refers to {{{{{original}}}}}, which is not a variable of the Typebot; "
                f'it fills in empty, as in Typebot (segflow declares it as "{name}")',
            )
        return name

    def _declare(self, original: str, *, report_rename: bool = True) -> str:
        name = _valid_name(original)
        unique = _unique(name, self._declared)
        self._declared[unique] = {"name": unique}
        if report_rename and original and unique != original:
            self._report.append(
                Finding(
                    FindingKind.CHANGED,
                    f'variable "{original}" is named "{unique}" in segflow'
                    + (
                        ", as another variable has that name"
                        if name == original
                        else ": names cannot hold spaces or braces"
                    ),
                )
            )
        return unique


def _unique(name: str, taken: Mapping[str, Any]) -> str:
    unique, number = name, 2
    while unique in taken:
        unique, number = f"{name}_{number}", number + 1
    return unique


def _valid_name(original: str) -> str:
    if _VALID_NAME.fullmatch(original):
        return original
    return _INVALID_CHARACTERS.sub("_", original).strip("_") or "variable"


def _initial_value(variable: Mapping[str, Any]) -> dict[str, Any]:
    value = variable.get("value")
    return {} if value is None or value == "" else {"value": value}
