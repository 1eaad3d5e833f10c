"""Reading flows from YAML or JSON files and from dicts, reporting every problem at once.

`check_flow_document` is segflow's one validator: `segflow validate`, publishing (chat API,
CLI, editor) and the editor's problem list all show the problems it finds.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
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
    BlockAt,
    FlowError,
    FlowProblem,
    GroupAt,
    describe,
    field_path,
)
from segflow.flow.validation import LinkedFlows, check_flow, flow_warnings


@dataclass(frozen=True)
class CheckedFlow:
    """What checking a flow document found: every problem (errors, then warnings), and the
    flow when no problem is an error."""

    problems: list[FlowProblem]
    flow: Flow | None

    @property
    def errors(self) -> list[FlowProblem]:
        return [problem for problem in self.problems if problem.is_error]

    @property
    def warnings(self) -> list[FlowProblem]:
        return [problem for problem in self.problems if not problem.is_error]


def check_flow_document(
    document: Any,
    *,
    registry: BlockRegistry | None = None,
    destinations: Collection[str] | None = None,
    linked: LinkedFlows | None = None,
    source: str = "The flow",
) -> CheckedFlow:
    """Every problem of a document (a dict, as read from YAML or JSON), each with its place:
    its shape and every block's options, blank required fields and typed values that never
    parse, then exits, variables and, when `destinations` (the names of the existing Segment
    accounts) is given, the accounts Segment blocks name; when `linked` (the published flows)
    is given, the groups links to other flows go to; and the warnings.

    Raises DocumentError when the document is nested too deep or holds values JSON cannot.
    """
    registry = registry or default_registry()
    check_document(document, source=source)
    try:
        flow = Flow.model_validate(document, context=FlowReading(registry))
    except ValidationError as error:
        problems = _shape_problems(error, document, registry)
        # Blocks with wrong options can be read past; then the graph can be checked too.
        try:
            lenient = Flow.model_validate(document, context=FlowReading(registry, lenient=True))
        except ValidationError:
            return CheckedFlow(problems, None)
        problems += check_flow(lenient, destinations=destinations, linked=linked)
        return CheckedFlow(problems + flow_warnings(lenient, linked=linked), None)
    errors = check_flow(flow, destinations=destinations, linked=linked)
    return CheckedFlow(errors + flow_warnings(flow, linked=linked), None if errors else flow)


def parse_flow(
    document: Any,
    *,
    registry: BlockRegistry | None = None,
    destinations: Collection[str] | None = None,
    linked: LinkedFlows | None = None,
    source: str = "The flow",
) -> Flow:
    """The flow a document (a dict, as read from YAML or JSON) describes.

    Raises FlowError listing every error `check_flow_document` finds (warnings do not keep a
    flow from being read: `flow_warnings` lists them).
    """
    checked = check_flow_document(
        document, registry=registry, destinations=destinations, linked=linked, source=source
    )
    if checked.flow is None:
        raise FlowError(checked.errors, source=source)
    return checked.flow


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
        at, schema, loc = _place(details["loc"], document, registry)
        if details["type"] == "block_options" and isinstance(at, BlockAt):
            problems += [at.problem(text, field=path) for path, text in details["ctx"]["problems"]]
        elif isinstance(at, BlockAt):
            text = describe(schema, loc, details)
            problems.append(at.problem(text, field=field_path(schema, loc)))
        elif isinstance(at, GroupAt):
            problems.append(at.problem(describe(schema, loc, details)))
        else:
            problems.append(FlowProblem(FLOW, describe(schema, loc, details)))
    return problems


def _place(
    loc: Sequence[int | str], document: Any, registry: BlockRegistry
) -> tuple[BlockAt | GroupAt | None, Any, Sequence[int | str]]:
    """The group or block an error is in (None: the flow itself), and the model and `loc`
    left for naming its field."""
    if len(loc) < 2 or loc[0] != "groups" or not isinstance(loc[1], int):
        return None, Flow, loc
    group = _item(document, "groups", loc[1])
    title = str(group.get("title") or group.get("id") or f"#{loc[1] + 1}")
    group_at = GroupAt(str(group.get("id") or ""), title)
    if len(loc) < 4 or loc[2] != "blocks" or not isinstance(loc[3], int):
        return group_at, Group, loc[2:]
    block = _item(group, "blocks", loc[3])
    type_name = str(block.get("type", "?"))
    kind = registry.find(type_name)
    type_title = kind.title if kind else type_name
    at = BlockAt(group_at, str(block.get("id") or ""), loc[3] + 1, type_title)
    return at, Block, loc[4:]


def _item(container: Any, key: str, index: int) -> Mapping[str, Any]:
    items = container.get(key) if isinstance(container, Mapping) else None
    item = items[index] if isinstance(items, list) and index < len(items) else None
    return item if isinstance(item, Mapping) else {}
