"""One Typebot block as a segflow block, or the reason it is skipped.

Each converter gets a `BlockContext` (the block, its exits, the variables, a way to note
findings) and returns the native block's fields (`type` and its options; the importer adds
`id` and `next`) or `Skipped`. Exits inside the fields (`items[].next`, a jump's `target`)
are `Target`s, written out by the importer once it knows which blocks were skipped.
"""

from __future__ import annotations

import base64
import ipaddress
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from typing import Any, Protocol
from urllib.parse import urlsplit

from segflow.blocks.http_request import (
    MAX_TIMEOUT_SECONDS,
    METHODS_WITHOUT_BODY,
    HttpMethod,
    parse_path,
)
from segflow.blocks.typebot_values import js_number
from segflow.blocks.typed_inputs import COUNTRIES
from segflow.importers.report import Finding, FindingKind
from segflow.importers.richtext import RichText, html_to_text, slate_to_text
from segflow.importers.typebot_javascript import as_expression, looks_like_code, unquoted
from segflow.importers.typebot_variables import VariableNames
from segflow.web_requests import is_public

NativeFields = dict[str, Any]


@dataclass(frozen=True)
class Target:
    """Where an exit leads: a group, or a block inside it."""

    group: str
    block: str | None = None


@dataclass(frozen=True)
class Skipped:
    """The block is left out; arriving at it goes to `continue_to`, else to the next block."""

    continue_to: Target | None


class Graph(Protocol):
    """The importer's view of the Typebot graph: where edges lead, and the bot's settings."""

    invalid_message: str
    """What the bot says to an answer an input cannot take, unless the input says otherwise."""

    def exit_of(
        self, block_id: str, item_id: str | None, edge_id: Any, context: BlockContext
    ) -> Target | None: ...

    def target(self, group_id: Any, block_id: Any, context: BlockContext) -> Target | None: ...

    def is_this_bot(self, typebot_id: str) -> bool:
        """Whether a Typebot ID is the imported bot's own."""
        ...

    def is_imported(self, typebot_id: str) -> bool:
        """Whether another bot's export is imported too, so a link to it finds its flow."""
        ...


class BlockContext:
    """A Typebot block being converted, and what its converter may ask about it."""

    def __init__(
        self,
        block: Mapping[str, Any],
        group_title: str,
        graph: Graph,
        variables: VariableNames,
        report: list[Finding],
    ) -> None:
        self.block = block
        self.id = str(block["id"])
        self.type = str(block.get("type") or "")
        self.group_title = group_title
        self.options = _mapping(block.get("options"))
        self.content = _mapping(block.get("content"))
        self.items = [item for item in block.get("items") or [] if isinstance(item, Mapping)]
        self._graph = graph
        self._variables = variables
        self._report = report

    @cached_property
    def exit(self) -> Target | None:
        """The block's own exit (for a condition: its Else)."""
        return self._graph.exit_of(self.id, None, self.block.get("outgoingEdgeId"), self)

    def item_exit(self, item: Mapping[str, Any]) -> Target | None:
        return self._graph.exit_of(self.id, str(item.get("id")), item.get("outgoingEdgeId"), self)

    def target(self, group_id: Any, block_id: Any = None) -> Target | None:
        return self._graph.target(group_id, block_id, self)

    def retry_message(self, fields: NativeFields) -> None:
        """The input's own message for an answer it cannot take, else the bot's, as in Typebot."""
        given = self.options.get("retryMessageContent")
        fields["retryMessage"] = self.template(given or self._graph.invalid_message)

    def is_this_bot(self, typebot_id: str) -> bool:
        return self._graph.is_this_bot(typebot_id)

    def is_imported(self, typebot_id: str) -> bool:
        return self._graph.is_imported(typebot_id)

    def note(self, kind: FindingKind, message: str) -> None:
        self._report.append(Finding(kind, message, self.group_title, self.id, self.type))

    def template(self, text: Any) -> str:
        """Typebot text with its `{{variables}}` under their segflow names."""
        return self._variables.template(text, self.note)

    def variable(self, key: str = "variableId") -> str | None:
        """The segflow name of the variable the option `key` refers to."""
        return self.variable_with_id(self.options.get(key))

    def variable_with_id(self, variable_id: Any) -> str | None:
        return self._variables.name_of(variable_id)

    def new_variable(self, wanted: str) -> str:
        """Declares a variable Typebot did not have, named like `wanted` if that is free."""
        return self._variables.new(wanted)

    def skip(self, reason: str, kind: FindingKind = FindingKind.UNSUPPORTED) -> Skipped:
        """Leave the block out, following its exit; `reason` starts the report's sentence."""
        self.note(kind, f"{reason}; it was skipped and the chat goes straight on")
        return Skipped(self.exit)


Converter = Callable[[BlockContext], NativeFields | Skipped]


def convert_block(context: BlockContext) -> NativeFields | Skipped:
    converter = CONVERTERS.get(context.type)
    if converter is not None:
        return converter(context)
    reason = _SKIPPED.get(context.type)
    if reason is None:
        name = f'"{context.type}" blocks' if context.type else "blocks without a type"
        reason = f"segflow has no {name}"
    return context.skip(reason)


# Bubbles


def _text(context: BlockContext) -> NativeFields:
    content = context.content
    if isinstance(content.get("richText"), list) and content["richText"]:
        rich = slate_to_text(content["richText"])
    elif isinstance(content.get("html"), str) and content["html"]:
        rich = html_to_text(content["html"])
    else:
        rich = RichText(str(content.get("plainText") or ""))
    if rich.dropped_formatting:
        formatting = ", ".join(sorted(rich.dropped_formatting))
        context.note(
            FindingKind.CHANGED,
            f"segflow text cannot show {formatting}; that formatting was left out",
        )
    return {"type": "text", "text": context.template(rich.text)}


def _image(context: BlockContext) -> NativeFields | Skipped:
    url = context.content.get("url")
    if not url:
        return context.skip("the image has no URL", FindingKind.CHANGED)
    fields: NativeFields = {"type": "image", "url": context.template(url)}
    click = _mapping(context.content.get("clickLink"))
    if click.get("alt"):
        fields["alt"] = context.template(click["alt"])
    if click.get("url"):
        context.note(
            FindingKind.CHANGED,
            f"clicking the image opened {click['url']} in Typebot; segflow images are not links",
        )
    return fields


def _media(context: BlockContext) -> NativeFields | Skipped:
    url = context.template(context.content.get("url") or "")
    if not url:
        return context.skip(f"the {context.type} has no URL", FindingKind.CHANGED)
    _note_playing(context)
    kind = context.content.get("type")
    if context.type == "video" and kind not in (None, "url"):
        # YouTube, Vimeo...: a page to show, not a file a <video> plays.
        context.note(FindingKind.CHANGED, f"the {kind} video became an Embed of its page")
        return {"type": "embed", "url": url}
    fields: NativeFields = {"type": context.type, "url": url}
    if context.type == "embed":
        given = context.content.get("height")
        height = _number(given)
        if isinstance(height, int) and 0 < height <= 2000:
            fields["height"] = height
        elif given not in (None, ""):
            context.note(
                FindingKind.CHANGED,
                f'its height "{given}" is not a number of pixels from 1 to 2000; it was left out',
            )
        if _mapping(context.content.get("waitForEvent")).get("isEnabled"):
            context.note(
                FindingKind.CHANGED,
                "Typebot waited for an event from the embedded page; segflow goes straight on",
            )
    return fields


def _note_playing(context: BlockContext) -> None:
    """How Typebot played a video or a sound that segflow's chat window does not copy."""
    if context.type not in ("video", "audio"):
        return
    content = context.content
    if content.get("isAutoplayEnabled", True) is not False:  # Typebot's default: it plays
        context.note(
            FindingKind.CHANGED,
            f"Typebot played the {context.type} as soon as it showed; segflow's chat window "
            "waits for a click on play",
        )
    if context.type == "audio":
        return
    if content.get("areControlsDisplayed") is False:
        context.note(
            FindingKind.CHANGED,
            "Typebot hid the video's controls; segflow's chat window shows them",
        )
    size = {
        "aspect ratio": content.get("aspectRatio") or "16/9",
        "width": content.get("maxWidth") or "100%",
        "height": str(content.get("height") or 400),
    }
    changed = [
        f"{what} {given}"
        for what, given in size.items()
        if given != {"aspect ratio": "16/9", "width": "100%", "height": "400"}[what]
    ]
    if changed:
        context.note(
            FindingKind.CHANGED,
            f"its size ({', '.join(changed)}) was left out; segflow's chat window fits videos "
            "to its width",
        )
    if content.get("queryParamsStr"):
        context.note(
            FindingKind.CHANGED,
            f'its player settings "{content["queryParamsStr"]}" were left out',
        )


# Inputs


def _input_fields(context: BlockContext, native_type: str) -> NativeFields:
    fields: NativeFields = {"type": native_type}
    variable = context.variable()
    if variable is None and native_type != "choiceInput":
        variable = context.new_variable(context.group_title or "answer")
        context.note(
            FindingKind.CHANGED,
            f"Typebot kept this answer in no variable; segflow inputs need one, so it goes to the "
            f'new variable "{variable}"',
        )
    if variable:
        fields["variable"] = variable
    if native_type == "choiceInput":  # buttons: no answer box to label
        return fields
    labels = _mapping(context.options.get("labels"))
    if labels.get("placeholder"):
        fields["placeholder"] = context.template(labels["placeholder"])
    if labels.get("button"):
        fields["buttonLabel"] = context.template(labels["button"])
    return fields


def _text_input(context: BlockContext) -> NativeFields:
    fields = _input_fields(context, "textInput")
    if context.options.get("isLong"):
        fields["long"] = True
    for extra, noun in (("attachments", "attachments"), ("audioClip", "voice messages")):
        if _mapping(context.options.get(extra)).get("isEnabled"):
            context.note(FindingKind.CHANGED, f"segflow text inputs take no {noun}; only text")
    mode = context.options.get("inputMode")
    if mode and mode != "text":
        context.note(
            FindingKind.CHANGED,
            f'Typebot asked phones for their "{mode}" keyboard; segflow shows the usual one',
        )
    return fields


def _email_input(context: BlockContext) -> NativeFields:
    fields = _input_fields(context, "emailInput")
    if context.options.get("retryMessageContent"):
        fields["retryMessage"] = context.template(context.options["retryMessageContent"])
    return fields


def _url_input(context: BlockContext) -> NativeFields:
    fields = _input_fields(context, "urlInput")
    context.retry_message(fields)
    return fields


def _phone_input(context: BlockContext) -> NativeFields:
    fields = _input_fields(context, "phoneInput")
    context.retry_message(fields)
    country = str(context.options.get("defaultCountryCode") or "").upper()
    if country in COUNTRIES:
        fields["defaultCountry"] = country
    elif country:
        context.note(
            FindingKind.CHANGED,
            f'its default country "{country}" is not a country code segflow knows; numbers '
            "must start with + and their country code",
        )
    return fields


def _date_input(context: BlockContext) -> NativeFields:
    options = context.options
    fields = _input_fields(context, "dateInput")
    context.retry_message(fields)
    fields.pop("placeholder", None)  # a date picker has no placeholder
    if options.get("hasTime"):
        fields["hasTime"] = True
    if options.get("isRange"):
        context.note(
            FindingKind.CHANGED, "segflow asks for one date, not a range; people give one date"
        )
    for key in ("min", "max"):
        value = options.get(key)
        if value and _iso_date(value):
            fields[key] = _iso_date(value)
        elif value:
            context.note(
                FindingKind.CHANGED,
                f'its {key} "{value}" is not a fixed date (yyyy-MM-dd); it was left out',
            )
    fields["format"] = str(options.get("format") or "")
    if not fields["format"]:  # Typebot's own default: day first
        fields["format"] = "dd/MM/yyyy HH:mm" if options.get("hasTime") else "dd/MM/yyyy"
    unknown = [
        run.group(0)
        for run in re.finditer(r"([A-Za-z])\1*", fields["format"])
        if run.group(0) not in _DATE_TOKENS
    ]
    if unknown:
        context.note(
            FindingKind.CHANGED,
            f'its format "{fields["format"]}" has {", ".join(dict.fromkeys(unknown))}, which '
            "segflow does not fill in (it knows yyyy, yy, MM, dd, HH and mm); those letters "
            "are kept as they are written",
        )
    return fields


_DATE_TOKENS = {"yyyy", "yy", "MM", "dd", "HH", "mm"}


def _iso_date(value: Any) -> str | None:
    text = str(value)[:10]
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        return None


def _note_kept_as_number(context: BlockContext) -> None:
    context.note(
        FindingKind.CHANGED,
        'segflow keeps the answer as a number (7) where Typebot kept its text ("7"): both read '
        "the same in texts and conditions, and Segment receives a number",
    )


def _number_input(context: BlockContext) -> NativeFields:
    fields = _input_fields(context, "numberInput")
    context.retry_message(fields)
    _note_kept_as_number(context)
    style = context.options.get("style")
    if style and style != "decimal":
        shown = context.options.get("currency") or context.options.get("unit") or style
        context.note(
            FindingKind.CHANGED,
            f"Typebot showed the number as {style} ({shown}); segflow shows it as it is typed",
        )
    for key in ("min", "max", "step"):
        value = context.options.get(key)
        if value is None or value == "":
            continue
        number = _number(value)
        if number is None or (key == "step" and number <= 0):
            wanted = "a fixed number" if number is None else "a step above 0"
            context.note(
                FindingKind.CHANGED,
                f'its {key} "{value}" is not {wanted}, as segflow needs; it was left out',
            )
        else:
            fields[key] = number
    return fields


def _choice_input(context: BlockContext) -> NativeFields | Skipped:
    _note_choice_options(context)
    items = []
    for number, item in enumerate(context.items, start=1):
        label = context.template(item.get("content") or "")
        value = context.template(item.get("value") or "")
        if not label and not value:
            context.note(FindingKind.CHANGED, f"choice {number} has no text; it was left out")
            continue
        if _mapping(item.get("displayCondition")).get("isEnabled"):
            context.note(
                FindingKind.CHANGED,
                f'choice "{label or value}" shows only under a condition in Typebot; '
                "segflow always shows it",
            )
        items.append(_choice_item(context, item, label or value, value))
    return _choices(context, items)


def _picture_choice_input(context: BlockContext) -> NativeFields | Skipped:
    _note_choice_options(context)
    items = []
    for number, item in enumerate(context.items, start=1):
        value = context.template(item.get("value") or "")
        shown = item.get("title") or item.get("description")
        label = context.template(shown) if shown else value or str(number)
        native = _choice_item(context, item, label, value)
        if item.get("pictureSrc"):
            native["picture"] = context.template(item["pictureSrc"])
        items.append(native)
    return _choices(context, items)


def _rating_input(context: BlockContext) -> NativeFields:
    options = context.options
    length = _whole_number(options.get("length"), 10)
    fields = _input_fields(context, "ratingInput")
    context.retry_message(fields)
    _note_kept_as_number(context)
    fields.pop("placeholder", None)  # buttons: no answer box
    if options.get("buttonType") == "Icons":
        fields.update(lowest=1, highest=length, icons=True)
    else:  # numbers: Typebot shows startsAt up to length
        fields.update(lowest=_whole_number(options.get("startsAt"), 0), highest=length)
    labels = _mapping(options.get("labels"))
    for side, key in (("left", "lowLabel"), ("right", "highLabel")):
        if labels.get(side):
            fields[key] = context.template(labels[side])
    custom_icon = _mapping(options.get("customIcon"))
    if options.get("buttonType") == "Icons" and custom_icon.get("isEnabled"):
        context.note(
            FindingKind.CHANGED, "Typebot drew the rating with its own icon; segflow draws stars"
        )
    return fields


def _as_text_input(what_people_type: str) -> Converter:
    """Inputs segflow has no kind of: people type their answer instead."""

    def convert(context: BlockContext) -> NativeFields:
        fields = _input_fields(context, "textInput")
        context.note(
            FindingKind.CHANGED,
            f"segflow has no {context.type}: it became a text input, so people type "
            f"{what_people_type}",
        )
        if any(
            _mapping(path).get("outgoingEdgeId")
            for item in context.items
            for path in item.get("paths") or []
        ):
            context.note(
                FindingKind.CHANGED,
                "its buttons' own exits are lost; all answers follow the block's exit",
            )
        return fields

    return convert


def _note_choice_options(context: BlockContext) -> None:
    options = context.options
    dynamic = context.variable("dynamicVariableId")
    if dynamic:
        context.note(
            FindingKind.CHANGED,
            f"Typebot took the choices from the list in {dynamic}; segflow shows the fixed ones",
        )
    pictures = _mapping(options.get("dynamicItems"))
    if pictures.get("isEnabled"):
        lists = [
            name
            for key in ("pictureSrcsVariableId", "titlesVariableId", "descriptionsVariableId")
            if (name := context.variable_with_id(pictures.get(key)))
        ]
        context.note(
            FindingKind.CHANGED,
            f"Typebot took the pictures from the lists in {', '.join(lists) or 'variables'}; "
            "segflow shows the fixed ones",
        )
    if options.get("isSearchable"):
        context.note(
            FindingKind.CHANGED,
            "Typebot showed a search box to filter the choices; segflow shows all of them",
        )
    label = options.get("buttonLabel")
    if options.get("isMultipleChoice") and label and label != "Send":
        context.note(
            FindingKind.CHANGED,
            f'the button that sends several choices says "Send" in segflow, not "{label}"',
        )


def _choice_item(
    context: BlockContext, item: Mapping[str, Any], label: str, value: str
) -> dict[str, Any]:
    item_id = item.get("id") or f"{context.id}-{context.items.index(item) + 1}"
    native: dict[str, Any] = {"id": str(item_id), "label": label}
    if value and value != label:
        native["value"] = value
    target = context.item_exit(item)
    if target is not None:
        native["next"] = target
    return native


def _choices(context: BlockContext, items: list[dict[str, Any]]) -> NativeFields | Skipped:
    if not items:
        return context.skip("it offers no choices")
    fields = _input_fields(context, "choiceInput")
    context.retry_message(fields)
    fields["items"] = items
    if context.options.get("isMultipleChoice"):
        fields["multiple"] = True
        # Typebot follows the block's own exit after several picks, never a choice's.
        if [item.pop("next") for item in items if "next" in item]:
            context.note(
                FindingKind.CHANGED,
                "people pick several choices here, so the choices' own exits are left out; "
                "the chat follows the block's exit",
            )
    return fields


# Logic


def _set_variable(context: BlockContext) -> NativeFields | Skipped:
    variable = context.variable()
    if variable is None:
        return context.skip(
            "it sets no variable (it did nothing in Typebot either)", FindingKind.CHANGED
        )
    kind = context.options.get("type")
    if kind is None or kind == "Custom":
        return _custom_value(context, variable)
    if kind == "Empty":
        return {"type": "setVariable", "variable": variable, "clear": True}
    if kind == "Result ID":  # Typebot's ID of the chat's result: segflow's chat ID
        return {"type": "setVariable", "variable": variable, "chatId": True}
    if kind == "Environment name":
        context.note(FindingKind.CHANGED, f'it sets {variable} to "web", as Typebot did on the web')
        return {"type": "setVariable", "variable": variable, "value": "web"}
    what = _PRESETS.get(str(kind), "a value")
    return context.skip(
        f'"{kind}" ({what}) has no segflow equivalent, so {variable} keeps its value'
    )


def _custom_value(context: BlockContext, variable: str) -> NativeFields | Skipped:
    source = context.options.get("expressionToEvaluate")
    source = "" if source is None else str(source)
    is_code = context.options.get("isCode")
    stripped = source.strip()
    if is_code is False or (is_code is None and not looks_like_code(stripped)):
        value = source if is_code is False else unquoted(source)
        return {"type": "setVariable", "variable": variable, "value": context.template(value)}
    expression = as_expression(stripped, lambda reference: context.template(reference)[2:-2])
    if expression is not None:
        remainder = " (% keeps the sign of the divisor, not of the number divided)"
        context.note(
            FindingKind.CHANGED,
            f'the JavaScript "{stripped}" became the segflow expression "{expression}", which '
            'reads numeric text as numbers as Typebot did ("15" + 5 is 20) and keeps what it '
            "computes as a number (Typebot kept text); an unset variable or text that is not "
            "a number in - * / % is an error that leaves the variable unchanged (JavaScript "
            f"made NaN){remainder if '%' in expression else ''}; "
            "check that it gives what you expect",
        )
        return {"type": "setVariable", "variable": variable, "expression": expression}
    return context.skip(
        f"it sets {variable} with JavaScript code, which segflow never runs, so {variable} keeps "
        "its value (rewrite it as a segflow expression if you need it)"
    )


_CONDITION_OPERATORS = {
    "Equal to": "equals",
    "Not equal": "notEquals",
    "Contains": "contains",
    "Does not contain": "notContains",
    "Greater than": "greaterThan",
    "Greater or equal to": "greaterOrEqual",
    "Less than": "lessThan",
    "Less or equal to": "lessOrEqual",
    "Is set": "isSet",
    "Is empty": "isEmpty",
    "Starts with": "startsWith",
    "Ends with": "endsWith",
    "Matches regex": "matchesRegex",
    "Does not match regex": "notMatchesRegex",
}
_WITHOUT_VALUE = {"isSet", "isEmpty"}


def _condition(context: BlockContext) -> NativeFields | Skipped:
    items = []
    for number, item in enumerate(context.items, start=1):
        content = _mapping(item.get("content"))
        match = "any" if content.get("logicalOperator") == "OR" else "all"
        comparisons, incomplete = [], 0
        for comparison in content.get("comparisons") or []:
            native = _comparison(context, _mapping(comparison))
            if native is None:
                incomplete += 1
            else:
                comparisons.append(native)
        if not comparisons or (incomplete and match == "all"):
            context.note(
                FindingKind.CHANGED,
                f"condition {number} is incomplete and never passes in Typebot; it was left out",
            )
            continue
        if incomplete:
            context.note(
                FindingKind.CHANGED,
                f"condition {number} has incomplete comparisons (never true in Typebot); "
                "they were left out",
            )
        native_item: dict[str, Any] = {"id": str(item.get("id") or ""), "match": match}
        native_item["comparisons"] = comparisons
        target = context.item_exit(item)
        if target is not None:
            native_item["next"] = target
        items.append(native_item)
    if not items:
        return context.skip(
            "it has no condition that can pass, so it always takes its Else exit",
            FindingKind.CHANGED,
        )
    return {"type": "condition", "items": items}


def _comparison(context: BlockContext, comparison: Mapping[str, Any]) -> dict[str, Any] | None:
    variable = context.variable_with_id(comparison.get("variableId"))
    operator = _CONDITION_OPERATORS.get(str(comparison.get("comparisonOperator")))
    if variable is None or operator is None:
        return None
    native: dict[str, Any] = {"variable": variable, "operator": operator}
    if operator in _WITHOUT_VALUE:
        return native
    value = context.template(comparison.get("value") or "")
    if operator in _REGEX_OPERATORS:
        value = _python_regex(value)
        if "{{" not in value and not _compiles(value):
            context.note(
                FindingKind.CHANGED,
                f'the regular expression "{value}" is JavaScript that Python cannot read; '
                "that comparison was left out",
            )
            return None
    native["value"] = value
    if operator in _ORDERED and "{{" not in value and js_number(value) is None:
        context.note(
            FindingKind.CHANGED,
            f'a comparison of {variable} with "{value}" reads dates only when they are written '
            "as ISO 8601 (2024-03-07 or 2024-03-07T10:00); Typebot also read dates such as "
            '"March 7, 2024". Other text compares by its length, as in Typebot',
        )
    return native


_ORDERED = {"greaterThan", "greaterOrEqual", "lessThan", "lessOrEqual"}


_REGEX_OPERATORS = {"matchesRegex", "notMatchesRegex"}
_JS_REGEX = re.compile(r"/(.+)/([a-z]*)", re.DOTALL)  # as Typebot reads /pattern/flags


def _python_regex(value: str) -> str:
    """`/pattern/flags` as Python writes it: `(?i)pattern`; any other value as it is."""
    written = _JS_REGEX.fullmatch(value)
    if written is None:
        return value
    flags = "".join(flag for flag in written.group(2) if flag in "ims")
    return f"(?{flags}){written.group(1)}" if flags else written.group(1)


def _compiles(pattern: str) -> bool:
    try:
        re.compile(pattern)
    except re.error:
        return False
    return True


def _jump(context: BlockContext) -> NativeFields | Skipped:
    target = context.target(context.options.get("groupId"), context.options.get("blockId"))
    if target is None:
        return context.skip("it jumps to no group", FindingKind.CHANGED)
    return {"type": "jump", "target": target}


def _return(context: BlockContext) -> NativeFields:
    return {"type": "return"}


def _typebot_link(context: BlockContext) -> NativeFields | Skipped:
    bot = context.options.get("typebotId")
    group = context.options.get("groupId")
    if not isinstance(bot, str) or not bot:
        return context.skip(
            "it links to no bot, which Typebot could not follow either", FindingKind.CHANGED
        )
    if bot == "current" or context.is_this_bot(bot):
        target = context.target(group)
        if target is None:
            return context.skip(
                "it links to this bot but to no group, which Typebot could not follow either",
                FindingKind.CHANGED,
            )
        return {"type": "link", "target": target}
    if not context.is_imported(bot):
        context.note(
            FindingKind.SETUP,
            f'it links to the Typebot "{bot}", which is not imported yet: import that bot\'s '
            "export too (the link finds its flow by that Typebot ID); until then, chats go on "
            "past the link",
        )
    fields: NativeFields = {"type": "link", "flow": bot}
    if isinstance(group, str) and group:
        fields["group"] = group
    if context.options.get("mergeResults") is False:
        fields["shareVariables"] = False
    return fields


def _ab_test(context: BlockContext) -> NativeFields:
    percent = _number(context.options.get("aPercent"))
    fields: NativeFields = {
        "type": "abTest",
        "aPercent": min(max(percent, 0), 100) if percent is not None else 50,
    }
    for item in context.items:
        path = str(item.get("path") or "").lower()
        if path in ("a", "b") and (target := context.item_exit(item)) is not None:
            fields[path] = target
    return fields


def _wait(context: BlockContext) -> NativeFields | Skipped:
    given = context.options.get("secondsToWaitFor")
    seconds = _number(given)
    if seconds is None or seconds < 0:
        return context.skip(
            f'its wait "{given or ""}" is not a number of seconds (segflow waits take a number)',
            FindingKind.CHANGED,
        )
    if context.options.get("shouldPause"):
        context.note(
            FindingKind.CHANGED,
            "Typebot paused the flow on the server until the wait ended; segflow's chat window "
            "pauses instead",
        )
    return {"type": "wait", "seconds": seconds}


def _redirect(context: BlockContext) -> NativeFields | Skipped:
    url = context.template(context.options.get("url") or "")
    if not url:
        return context.skip("the redirect has no URL", FindingKind.CHANGED)
    return {"type": "redirect", "url": url, "newTab": bool(context.options.get("isNewTab"))}


# Segment

# Typebot action -> segflow action, its text fields (the first ones required), its rows.
_SEGMENT_ACTIONS: dict[str, tuple[str, tuple[str, ...], int, str | None]] = {
    "Identify User": ("Identify User", ("email", "userId"), 1, "traits"),
    "Alias": ("Alias", ("previousId", "userId"), 0, None),
    "Track": ("Track Event", ("eventName", "userId"), 1, "properties"),
    "Page": ("Page View", ("name", "category", "userId"), 1, "properties"),
}
# Fields segflow refuses to send empty, with their labels.
_NOT_EMPTY = {"eventName": "Event Name", "name": "Name"}


def _segment(context: BlockContext) -> NativeFields | Skipped:
    action = context.options.get("action")
    if action not in _SEGMENT_ACTIONS:
        which = (
            f'its action "{action}" is not one segflow imports' if action else "it has no action"
        )
        return context.skip(f"{which} (segflow imports Identify User, Alias, Track and Page)")
    native_action, text_fields, required, rows_field = _SEGMENT_ACTIONS[str(action)]
    fields: NativeFields = {"type": "segment", "action": native_action}
    for number, key in enumerate(text_fields):
        value = context.template(context.options.get(key) or "")
        if value or number < required:
            fields[key] = value
        if not value and key in _NOT_EMPTY:
            context.note(
                FindingKind.SETUP,
                f"{native_action}: {_NOT_EMPTY[key]} is empty; segflow will not send it "
                "until you fill it in",
            )
    rows = [_mapping(row) for row in context.options.get(rows_field or "") or []]
    if rows_field and any(row.get("key") or row.get("value") for row in rows):
        fields[rows_field] = [
            {
                "key": context.template(row.get("key")),
                "value": context.template(row.get("value")),
                "type": "text",
            }
            for row in rows
            if row.get("key") or row.get("value")
        ]
    context.note(
        FindingKind.SETUP,
        "needs a segflow Segment account: Typebot keeps the Write Key in its credentials, outside "
        "the export; give this block a destination (or the flow a segment.destination), else it "
        "sends to segflow's default destination",
    )
    return fields


# HTTP requests (Typebot's HTTP request block, once named Webhook, and Zapier, Make.com and
# Pabbly Connect, which are HTTP requests to those services)

_TYPEBOT_HOSTS = ("typebot.io", "typebot.co")
_PRIVATE_SUFFIXES = (".local", ".internal", ".localhost")


def _http_request(context: BlockContext) -> NativeFields | Skipped:
    request = _mapping(context.options.get("webhook"))
    if context.type == "webhook" and not request:
        return context.skip(_SKIPPED["webhook"])
    url = context.template(request.get("url") or "").strip()
    if not url and context.block.get("webhookId"):
        return context.skip(
            "its request was kept apart from the bot (webhookId, in older Typebot versions) and "
            "is not in the export: add an HTTP request block with its URL in segflow",
            FindingKind.SETUP,
        )
    if not url:
        return context.skip(
            "the HTTP request has no URL (Typebot went straight on as well)", FindingKind.SETUP
        )
    method = str(request.get("method") or "POST").upper()
    if method not in HttpMethod.__members__:
        return context.skip(f"segflow does not send {method} requests")
    fields: NativeFields = {"type": "httpRequest", "url": url, "method": method}
    if headers := _http_rows(context, request.get("headers"), "headers"):
        fields["headers"] = headers
    if params := _http_rows(context, request.get("queryParams"), "query parameters"):
        fields["queryParams"] = params
    if HttpMethod(method) not in METHODS_WITHOUT_BODY:
        fields.update(_http_body(context, request.get("body")))
    if mapping := _response_mapping(context):
        fields["responseMapping"] = mapping
    timeout = _number(context.options.get("timeout"))
    if timeout is not None:
        fields["timeout"] = min(max(timeout, 1), MAX_TIMEOUT_SECONDS)
    _note_where_it_goes(context, url)
    return fields


def _http_rows(context: BlockContext, rows: Any, what: str) -> list[dict[str, str]]:
    kept = []
    for row in rows if isinstance(rows, list) else []:
        key = context.template(_mapping(row).get("key") or "")
        value = context.template(_mapping(row).get("value") or "")
        if not key.strip() or not value:
            continue
        basic = re.fullmatch(r"(?i)basic ([^:{}]*:[^{}]*)", value.strip())
        if what == "headers" and key.strip().lower() == "authorization" and basic:
            # Typebot writes user:password out in Basic credentials for you
            value = "Basic " + base64.b64encode(basic.group(1).encode()).decode()
        elif what == "headers" and key.strip().lower() == "authorization" and ":" in value:
            context.note(
                FindingKind.CHANGED,
                "its Authorization header is sent as written, while Typebot turned a "
                "user:password there into Basic credentials",
            )
        kept.append({"key": key, "value": value})
    return kept


def _http_body(context: BlockContext, body: Any) -> NativeFields:
    text = body if isinstance(body, str) else ""
    if context.options.get("isCustomBody") is True and text.strip() and text != "{{state}}":
        return {"body": context.template(text)}
    context.note(
        FindingKind.CHANGED,
        "Typebot sent the result (each answer by its question, and the variables) as the "
        "body; segflow sends the chat's variables as one JSON object, by their names",
    )
    return {"sendVariables": True}


def _response_mapping(context: BlockContext) -> list[dict[str, str]]:
    kept = []
    for row in context.options.get("responseVariableMapping") or []:
        path = str(_mapping(row).get("bodyPath") or "").strip()
        variable = context.variable_with_id(_mapping(row).get("variableId"))
        if not path or variable is None:
            continue  # Typebot ignores such a row too
        try:
            parse_path(path)
        except ValueError:
            context.note(
                FindingKind.UNSUPPORTED,
                f'saving "{path}" of the response into {variable} was left out: segflow reads '
                "paths like data.user.id or data.items[0].name, not JavaScript",
            )
            continue
        kept.append({"path": path, "variable": variable})
    return kept


def _note_where_it_goes(context: BlockContext, url: str) -> None:
    if context.options.get("isExecutedOnClient"):
        context.note(
            FindingKind.CHANGED,
            "Typebot sent this request from the visitor's browser; segflow sends it from the "
            "server (without the visitor's cookies, and only to addresses segflow may reach)",
        )
    host = _host(url)
    if any(host == name or host.endswith(f".{name}") for name in _TYPEBOT_HOSTS):
        context.note(
            FindingKind.CHANGED,
            f"it calls Typebot itself ({host}), which works only while the bot runs there too",
        )
    elif host == "localhost" or host.endswith(_PRIVATE_SUFFIXES) or _is_private_address(host):
        context.note(
            FindingKind.SETUP,
            f"it calls {host}, a local address segflow refuses unless the setting "
            "SEGFLOW_HTTP_ALLOWED_HOSTS allows it",
        )


def _host(url: str) -> str:
    """The URL's host name, in lower case; empty when a {{variable}} fills it in."""
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return ""
    return "" if "{" in host or "}" in host else host


def _is_private_address(host: str) -> bool:
    try:
        return not is_public(ipaddress.ip_address(host))
    except ValueError:
        return False  # a name


# What the skipped kinds of blocks did, to start the report's sentence.
_SKIPPED = {
    "payment input": "segflow takes no payments",
    "Code": "segflow never runs Script blocks (JavaScript code)",
    "webhook": "it waits for another service to call Typebot (a Webhook logic block), which "
    "segflow does not receive",
    "Google Sheets": "segflow has no Google Sheets integration",
    "Google Analytics": "segflow has no Google Analytics integration (send to Segment instead)",
    "OpenAI": "segflow has no OpenAI integration",
    "Email": "segflow does not send emails",
    "Chatwoot": "segflow has no Chatwoot integration",
    "Pixel": "segflow has no Pixel integration",
}

_PRESETS = {
    "Now": "the current date and time",
    "Today": "today's date",
    "Yesterday": "yesterday's date",
    "Tomorrow": "tomorrow's date",
    "Moment of the day": "morning, afternoon...",
    "Random ID": "a random ID",
    "User ID": "Typebot's user ID",
    "Transcript": "the chat transcript",
    "Phone number": "the WhatsApp phone number",
    "Contact name": "the WhatsApp contact name",
    "Append value(s)": "list operations",
    "Pop": "list operations",
    "Shift": "list operations",
    "Map item with same index": "list operations",
}

CONVERTERS: dict[str, Converter] = {
    "text": _text,
    "image": _image,
    "video": _media,
    "audio": _media,
    "embed": _media,
    "text input": _text_input,
    "email input": _email_input,
    "number input": _number_input,
    "choice input": _choice_input,
    "picture choice input": _picture_choice_input,
    "rating input": _rating_input,
    "url input": _url_input,
    "date input": _date_input,
    "time input": _as_text_input("the time (there is no time picker or check)"),
    "phone number input": _phone_input,
    "file input": _as_text_input("an answer instead of uploading a file"),
    "cards": _as_text_input("their answer instead of pressing a card's button"),
    "Set variable": _set_variable,
    "Condition": _condition,
    "Jump": _jump,
    "Return": _return,
    "Typebot link": _typebot_link,
    "AB test": _ab_test,
    "Wait": _wait,
    "Redirect": _redirect,
    "Webhook": _http_request,
    "webhook": _http_request,
    "Zapier": _http_request,
    "Make.com": _http_request,
    "Pabbly": _http_request,
    "segment": _segment,
}


def _number(value: Any) -> int | float | None:
    if isinstance(value, bool):
        return None
    try:
        number = float(value) if isinstance(value, int | float) else float(str(value).strip())
    except ValueError:
        return None
    if not math.isfinite(number):
        return None
    return int(number) if number.is_integer() else number


def _whole_number(value: Any, default: int) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else default


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}
