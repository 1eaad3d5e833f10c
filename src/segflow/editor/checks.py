"""Checking a flow document for the editor: every problem `parse_flow` finds, plus the early
ones, each located in its group, block and field; and, for a flow without errors, its
warnings (`flow_warnings`)."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from pydantic import BaseModel, ValidationError

from segflow.blocks import BlockRegistry, BlockType
from segflow.editor.early_checks import early_problems
from segflow.editor.problems import LocatedProblem, Path
from segflow.flow import FlowError, FlowProblem, flow_warnings, parse_flow
from segflow.flow.model import BLOCK_KEYS
from segflow.flow.problems import FLOW, block_place, describe, group_place
from segflow.flow.validation import LinkedFlows


def check_draft(
    document: Any,
    *,
    registry: BlockRegistry,
    destinations: Collection[str],
    linked: LinkedFlows | None = None,
) -> list[LocatedProblem]:
    """Every problem of the document, located; it can be published when none is an error
    (warnings are there to know). `linked` finds the published flows links name."""
    if not isinstance(document, Mapping):
        return [LocatedProblem(FLOW, "A flow must be a JSON object")]
    try:
        flow = parse_flow(document, registry=registry, destinations=destinations, linked=linked)
        found = flow_warnings(flow, linked=linked)
    except FlowError as error:
        found = error.problems
    places = _Places(document, registry)
    problems = [places.locate(problem) for problem in found]
    problems += places.early_problems()
    return list(dict.fromkeys(problems))


def locate_problems(
    document: Any, problems: Collection[FlowProblem], registry: BlockRegistry
) -> list[LocatedProblem]:
    """Problems found elsewhere (on publishing), located in the document."""
    if not isinstance(document, Mapping):
        return [LocatedProblem(problem.place, problem.problem) for problem in problems]
    places = _Places(document, registry)
    return [places.locate(problem) for problem in problems]


@dataclass
class _BlockAt:
    group_id: str
    block_id: str
    place: str
    kind: BlockType[Any] | None
    data: Mapping[str, Any]

    @cached_property
    def options(self) -> dict[str, Any]:
        return {key: value for key, value in self.data.items() if key not in BLOCK_KEYS}

    @cached_property
    def read(self) -> BaseModel | list[tuple[Path, str]] | None:
        """The validated options, or each of their errors with its field path."""
        if self.kind is None:
            return None
        try:
            options = self.kind.read_options(self.options)
        except ValidationError as error:
            return [
                (self._path(details["loc"]), describe(self.kind.options, details["loc"], details))
                for details in error.errors()
            ]
        return options if isinstance(options, BaseModel) else None

    def field_of(self, problem: str) -> Path:
        errors = self.read if isinstance(self.read, list) else []
        return next((path for path, text in errors if text == problem), ())

    def _path(self, loc: tuple[int | str, ...]) -> Path:
        """The field's path in the options; a union's tag (a Segment action) is no field."""
        assert self.kind is not None
        tag = self.kind.options_schema().get("discriminator", {}).get("propertyName")
        if tag and loc and loc[0] == self.options.get(tag):
            return loc[1:]
        return loc


class _Places:
    """The groups and blocks of a document by the place segflow's problems name them with."""

    def __init__(self, document: Mapping[str, Any], registry: BlockRegistry) -> None:
        self.groups: dict[str, str] = {}
        self.blocks: dict[str, _BlockAt] = {}
        self.in_order: list[_BlockAt] = []
        groups = document.get("groups")
        for group_number, group in enumerate(groups if isinstance(groups, list) else [], 1):
            if isinstance(group, Mapping):
                self._add_group(group, group_number, registry)

    def _add_group(self, group: Mapping[str, Any], number: int, registry: BlockRegistry) -> None:
        group_id = str(group.get("id") or "")
        title = str(group.get("title") or group.get("id") or f"#{number}")
        self.groups[group_place(title)] = group_id
        blocks = group.get("blocks")
        for block_number, block in enumerate(blocks if isinstance(blocks, list) else [], 1):
            if not isinstance(block, Mapping):
                continue
            block_id = str(block.get("id") or f"#{block_number}")
            type_name = str(block.get("type", "?"))
            kind = registry.find(type_name)
            place = block_place(title, block_id, kind.title if kind else type_name)
            located = _BlockAt(group_id, str(block.get("id") or ""), place, kind, block)
            self.in_order.append(located)
            # A block read past (its options have problems) is named by its type's name.
            for shown_type in {kind.title if kind else type_name, type_name}:
                self.blocks.setdefault(block_place(title, block_id, shown_type), located)

    def locate(self, problem: FlowProblem) -> LocatedProblem:
        if (block := self.blocks.get(problem.place)) is not None:
            return LocatedProblem(
                problem.place,
                problem.problem,
                group_id=block.group_id,
                block_id=block.block_id,
                field=problem.field or block.field_of(problem.problem),
                level=problem.level,
            )
        group_id = self.groups.get(problem.place)
        return LocatedProblem(
            problem.place, problem.problem, group_id=group_id, level=problem.level
        )

    def early_problems(self) -> list[LocatedProblem]:
        problems: list[LocatedProblem] = []
        for block in self.in_order:
            if isinstance(block.read, BaseModel):
                problems += [
                    LocatedProblem(block.place, text, block.group_id, block.block_id, path)
                    for path, text in early_problems(block.read)
                ]
        return problems
