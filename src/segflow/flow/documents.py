"""Reading YAML and JSON documents that anyone may have written, within bounds.

Every flow document segflow reads (files given to the CLI, editor imports, Typebot exports)
goes through `parse_document`: a few hundred bytes of YAML aliases can expand to gigabytes
("billion laughs"), deep nesting exhausts the stack, and huge numbers take quadratic time.
So aliases are refused, documents are bounded in size, depth and number of values, numbers
in length, and only JSON's kinds of values come out (mappings with text keys, lists, text,
numbers, true, false, null).
"""

from __future__ import annotations

from typing import Any, Literal, NoReturn

import orjson
import yaml
from yaml.composer import ComposerError
from yaml.constructor import ConstructorError
from yaml.events import AliasEvent, CollectionEndEvent, CollectionStartEvent, Event, NodeEvent
from yaml.nodes import Node, ScalarNode

try:  # libyaml's parser, ten times faster than PyYAML's own
    from yaml import CSafeLoader as _FastLoader
except ImportError:  # PyYAML built without libyaml: the same, slower
    from yaml import SafeLoader as _FastLoader  # type: ignore[assignment]

from segflow.flow.problems import FLOW, FlowError, FlowProblem

Syntax = Literal["json", "yaml"]

MAX_DOCUMENT_BYTES = 5 * 1024 * 1024  # a large Typebot export is under 1 MB
MAX_DEPTH = 64  # a flow nests about 8 deep; rich text in imports a few more
MAX_NUMBER_LENGTH = 100  # characters of one number written out
MAX_VALUES = 200_000  # values in a YAML document: a flow of 2,000 blocks has about 30,000


class DocumentError(FlowError):
    """A document cannot be read: it is too large, too deep, not UTF-8, not JSON or YAML, or
    uses YAML features segflow refuses. Its message is one line that names the document."""

    def __init__(self, source: str, problem: str) -> None:
        super().__init__([FlowProblem(FLOW, problem)], source=source)
        self.args = (f"{source} {problem}",)


def parse_document(content: str | bytes, *, source: str, syntax: Syntax | None = None) -> Any:
    """The document `content` holds, in JSON or YAML (`None`: JSON if it parses, else YAML).

    `source` names the document in errors ("bot.yaml", '"upload.json"'). Raises DocumentError.
    """
    text = _text(content, source)
    if syntax == "json":
        document = _json(text, source)
    elif syntax == "yaml":
        document = _yaml(text, source)
    else:
        try:
            document = orjson.loads(text)
        except orjson.JSONDecodeError:
            try:
                document = _yaml(text, source)
            except DocumentError as error:
                problem = str(error).removeprefix(f"{source} is not valid YAML")
                raise DocumentError(source, f"is neither JSON nor YAML{problem}") from None
    check_document(document, source=source)
    return document


def check_document(document: Any, *, source: str) -> None:
    """Refuses a document (as parsed, or sent as JSON) nested deeper than MAX_DEPTH, or holding
    a value JSON has no word for; raises DocumentError."""
    pending: list[tuple[Any, int]] = [(document, 1)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, dict | list) and depth > MAX_DEPTH:
            raise DocumentError(source, f"is nested more than {MAX_DEPTH} levels deep")
        if isinstance(value, dict):
            for key, item in value.items():
                if not isinstance(key, str):
                    raise DocumentError(
                        source, f"has a key that is not text ({key!r}): put it in quotes"
                    )
                pending.append((item, depth + 1))
        elif isinstance(value, list):
            pending.extend((item, depth + 1) for item in value)
        elif not (value is None or isinstance(value, str | bool | int | float)):
            raise DocumentError(
                source,
                f"holds a value that is not text, a number, true, false or null "
                f"({type(value).__name__})",
            )


def _text(content: str | bytes, source: str) -> str:
    if isinstance(content, str):
        try:
            encoded = content.encode("utf-8")
        except UnicodeEncodeError as error:
            problem = f"holds a character that is not text (U+{ord(content[error.start]):04X})"
            raise DocumentError(source, f"{problem} at position {error.start}") from None
        _check_size(encoded, source)
        return content
    _check_size(content, source)
    try:
        return content.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as error:
        raise DocumentError(
            source,
            f"is not UTF-8 text (byte 0x{content[error.start]:02x} at position {error.start}): "
            "save it as UTF-8",
        ) from None


def _check_size(content: bytes, source: str) -> None:
    if len(content) > MAX_DOCUMENT_BYTES:
        limit = MAX_DOCUMENT_BYTES // (1024 * 1024)
        raise DocumentError(source, f"is larger than {limit} MB, the most segflow reads")


def _json(text: str, source: str) -> Any:
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError as error:
        raise DocumentError(source, f"is not valid JSON: {error}") from None


def _yaml(text: str, source: str) -> Any:
    try:
        _check_events(text)
        loader = _BoundedLoader(text)
        try:
            return loader.get_single_data()
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as error:
        raise DocumentError(source, f"is not valid YAML: {_one_line(error)}") from None
    except yaml.YAMLError as error:  # the reader's errors (e.g. a control character)
        raise DocumentError(source, f"is not valid YAML: {' '.join(str(error).split())}") from None


def _check_events(text: str) -> None:
    """Refuses aliases, deep nesting and too many values, before any value is built."""
    events = _FastLoader(text)
    depth = values = 0
    try:
        while events.check_event():
            event = events.get_event()
            if isinstance(event, AliasEvent):
                _refuse(
                    f"uses the alias *{event.anchor}, which segflow does not read: write the "
                    "value out in full",
                    event,
                )
            if isinstance(event, NodeEvent):
                values += 1
                if values > MAX_VALUES:
                    _refuse(f"holds more than {MAX_VALUES:,} values", event)
            if isinstance(event, CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    _refuse(f"is nested more than {MAX_DEPTH} levels deep", event)
            elif isinstance(event, CollectionEndEvent):
                depth -= 1
    finally:
        events.dispose()


def _refuse(problem: str, event: Event) -> NoReturn:
    mark = event.start_mark  # libyaml's marks have the same line and column
    raise ComposerError(None, None, problem, mark)  # type: ignore[arg-type]


def _one_line(error: yaml.MarkedYAMLError) -> str:
    problem = " ".join(f"{error.context or ''} {error.problem or ''}".split())
    mark = error.problem_mark or error.context_mark
    where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark is not None else ""
    return f"{problem}{where}"


class _BoundedLoader(_FastLoader):
    """PyYAML's safe loader without long numbers or non-JSON types (`_check_events` has
    refused aliases and deep nesting already)."""

    def construct_number(self, node: ScalarNode) -> Any:
        if len(node.value) > MAX_NUMBER_LENGTH:
            raise ConstructorError(
                None,
                None,
                f"has a number longer than {MAX_NUMBER_LENGTH} characters: put it in quotes",
                node.start_mark,
            )
        if node.tag.endswith(":int"):
            return self.construct_yaml_int(node)
        return self.construct_yaml_float(node)

    def construct_plain_text(self, node: ScalarNode) -> str:
        return self.construct_scalar(node)

    def refuse(self, node: Node) -> Any:
        raise ConstructorError(
            None,
            None,
            f"uses the YAML type {node.tag}, which segflow does not read",
            node.start_mark,
        )


_BoundedLoader.add_constructor("tag:yaml.org,2002:int", _BoundedLoader.construct_number)
_BoundedLoader.add_constructor("tag:yaml.org,2002:float", _BoundedLoader.construct_number)
# Dates stay as written: JSON has no dates, and a flow's texts are texts.
_BoundedLoader.add_constructor("tag:yaml.org,2002:timestamp", _BoundedLoader.construct_plain_text)
for _tag in ("binary", "set", "omap", "pairs"):
    _BoundedLoader.add_constructor(f"tag:yaml.org,2002:{_tag}", _BoundedLoader.refuse)
