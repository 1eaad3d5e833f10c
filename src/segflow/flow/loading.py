"""Reading flows from YAML or JSON files and from dicts, reporting every problem at once."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from segflow.blocks import BlockRegistry, default_registry
from segflow.flow.documents import (
    MAX_DOCUMENT_BYTES,
    DocumentError,
    Syntax,
    check_document,
    parse_document,
)
from segflow.flow.model import Block, Flow, FlowReading, Group
from segflow.flow.problems import (
    FLOW,
    FlowError,
    FlowProblem,
    block_place,
    describe,
    group_place,
)
from segflow.flow.validation import LinkedFlows, check_flow


def parse_flow(
    document: Any,
    *,
    registry: BlockRegistry | None = None,
    destinations: Collection[str] | None = None,
    linked: LinkedFlows | None = None,
    source: str = "The flow",
) -> Flow:
    """The flow a document (a dict, as read from YAML or JSON) describes.

    Raises FlowError listing every problem, each with its place: the document's shape and
    every block's options, then exits, variables and, when `destinations` (the names of the
    existing Segment accounts) is given, the accounts Segment blocks name; when `linked` (the
    published flows) is given, the groups links to other flows go to.
    """
    registry = registry or default_registry()
    check_document(document, source=source)
    try:
        flow = Flow.model_validate(document, context=FlowReading(registry))
    except ValidationError as error:
        problems = _shape_problems(error, document, registry)
        # Blocks with wrong options can be read past; then the graph can be checked too.
        try:
            flow = Flow.model_validate(document, context=FlowReading(registry, lenient=True))
        except ValidationError:
            raise FlowError(problems, source=source) from None
        problems += check_flow(flow, destinations=destinations, linked=linked)
        raise FlowError(problems, source=source) from None
    if problems := check_flow(flow, destinations=destinations, linked=linked):
        raise FlowError(problems, source=source)
    return flow


def read_document(path: Path, *, syntax: Syntax | None = None) -> Any:
    """The document in a .yaml, .yml or .json file (or in `syntax`, whatever the file's name);
    raises DocumentError, in one line naming the file, when it cannot be read safely."""
    source = str(path)
    try:
        with path.open("rb") as file:
            content = file.read(MAX_DOCUMENT_BYTES + 1)
    except OSError as error:
        raise DocumentError(source, f"cannot be read: {error.strerror or error}") from None
    if syntax is None:
        syntax = "json" if path.suffix.lower() == ".json" else "yaml"
    return parse_document(content, source=source, syntax=syntax)


def load_flow(
    path: Path | str,
    *,
    registry: BlockRegistry | None = None,
    destinations: Collection[str] | None = None,
) -> Flow:
    """The flow in a YAML or JSON file, checked like `parse_flow` does."""
    path = Path(path)
    return parse_flow(
        read_document(path), registry=registry, destinations=destinations, source=str(path)
    )


def _shape_problems(
    error: ValidationError, document: Any, registry: BlockRegistry
) -> list[FlowProblem]:
    problems: list[FlowProblem] = []
    for details in error.errors():
        place, schema, loc = _place(details["loc"], document, registry)
        if details["type"] == "block_options":
            problems += [FlowProblem(place, text) for text in details["ctx"]["problems"]]
        else:
            problems.append(FlowProblem(place, describe(schema, loc, details)))
    return problems


def _place(
    loc: Sequence[int | str], document: Any, registry: BlockRegistry
) -> tuple[str, Any, Sequence[int | str]]:
    """Where an error is, in words, and the model and `loc` left for naming its field."""
    if len(loc) < 2 or loc[0] != "groups" or not isinstance(loc[1], int):
        return FLOW, Flow, loc
    group = _item(document, "groups", loc[1])
    title = str(group.get("title") or group.get("id") or f"#{loc[1] + 1}")
    if len(loc) < 4 or loc[2] != "blocks" or not isinstance(loc[3], int):
        return group_place(title), Group, loc[2:]
    block = _item(group, "blocks", loc[3])
    type_name = str(block.get("type", "?"))
    kind = registry.find(type_name)
    block_id = str(block.get("id") or f"#{loc[3] + 1}")
    return block_place(title, block_id, kind.title if kind else type_name), Block, loc[4:]


def _item(container: Any, key: str, index: int) -> Mapping[str, Any]:
    items = container.get(key) if isinstance(container, Mapping) else None
    item = items[index] if isinstance(items, list) and index < len(items) else None
    return item if isinstance(item, Mapping) else {}
