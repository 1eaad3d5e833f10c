"""Typebot exports (versions 3 to 6.1; one without a version is 3) as segflow flows, with a report.

Groups, blocks, items and their ids are kept, so a finding names a block you can find in both.
Edges become `next` exits. Blocks segflow cannot run are skipped: the chat goes on where
Typebot would have gone after them (their exit, else the next block), and the report says so.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from segflow.errors import SegflowError
from segflow.flow import FlowError, parse_flow
from segflow.flow.model import ALIAS_PATTERN
from segflow.importers.report import Finding, FindingKind
from segflow.importers.typebot_blocks import (
    BlockContext,
    NativeFields,
    Skipped,
    Target,
    convert_block,
)
from segflow.importers.typebot_variables import VariableNames

SUPPORTED_VERSIONS = ("3", "4", "5", "6", "6.1")
_WITH_START_BLOCK = ("3", "4", "5")  # before 6, the start was a block in the first group
# What Typebot says to an answer an input cannot take, unless the bot or the input says otherwise.
INVALID_MESSAGE = "Invalid message. Please, try again."


class TypebotImportError(SegflowError):
    """The document is not a Typebot export segflow can read."""


@dataclass(frozen=True)
class TypebotImport:
    flow: dict[str, Any]
    """The segflow flow document (camelCase keys, as in docs/flow-format.md)."""
    report: list[Finding]
    """Everything that did not carry over as it was, in the order of the groups."""


def import_typebot(
    document: Mapping[str, Any], *, imported_with: Collection[str] = ()
) -> TypebotImport:
    """The segflow flow of a Typebot export (its parsed JSON) and the import report.

    The flow's other IDs are the Typebot's publicId and ID, so links from other imported bots
    find it. `imported_with` holds the IDs of the Typebots imported along with it: the report
    names every other bot it links to that is not among them.
    """
    return _TypebotImporter(document, imported_with).run()


@dataclass
class _Block:
    id: str
    converted: NativeFields | Skipped
    exit: Target | None  # the native block's own exit; unused when skipped


@dataclass
class _Group:
    id: str
    title: str
    position: dict[str, Any]
    blocks: list[_Block]

    def surviving_after(self, index: int) -> _Block | None:
        return next((b for b in self.blocks[index + 1 :] if not _skipped(b)), None)


def typebot_ids(document: Any) -> set[str]:
    """The IDs links from other bots may name a Typebot export by: its ID and publicId."""
    if not isinstance(document, Mapping):
        return set()
    if "groups" not in document and isinstance(document.get("typebot"), Mapping):
        document = document["typebot"]  # as Typebot's API returns it
    return {value for key in ("id", "publicId") if isinstance(value := document.get(key), str)}


class _TypebotImporter:
    def __init__(self, document: Mapping[str, Any], imported_with: Collection[str] = ()) -> None:
        if not isinstance(document, Mapping):
            raise TypebotImportError("This is not a Typebot export: expected a JSON object")
        if "groups" not in document and isinstance(document.get("typebot"), Mapping):
            document = document["typebot"]  # as Typebot's API returns it
        version = document.get("version")
        # Typebot reads an export without a version as version 3, its first.
        self.version = str(version) if version not in (None, "") else "3"
        if self.version not in SUPPORTED_VERSIONS:
            raise TypebotImportError(
                f'Typebot export version "{self.version}" is not supported: segflow imports '
                f"versions {', '.join(SUPPORTED_VERSIONS)}"
            )
        groups = document.get("groups")
        if not isinstance(groups, list):
            raise TypebotImportError('This is not a Typebot export: it has no "groups" list')
        self.document = document
        self.own_ids = typebot_ids(document)
        self.imported_with = set(imported_with)
        self.report: list[Finding] = []
        self.source_groups = [g for g in groups if isinstance(g, Mapping) and g.get("id")]
        edges = [e for e in document.get("edges") or [] if isinstance(e, Mapping)]
        self.edges = {str(e.get("id")): e for e in edges}
        self.edges_from = {
            (
                _mapping(e.get("from")).get("blockId") or _mapping(e.get("from")).get("eventId"),
                _mapping(e.get("from")).get("itemId"),
            ): e
            for e in edges
        }
        self.block_ids = {
            str(g["id"]): [
                str(b.get("id")) for b in g.get("blocks") or [] if isinstance(b, Mapping)
            ]
            for g in self.source_groups
        }
        self.variables = VariableNames(document.get("variables") or [], self.report)
        self.groups: dict[str, _Group] = {}
        self.end_group: str | None = None
        general = _mapping(_mapping(document.get("settings")).get("general"))
        system_messages = _mapping(general.get("systemMessages"))
        self.invalid_message = str(system_messages.get("invalidMessage") or INVALID_MESSAGE)

    def run(self) -> TypebotImport:
        start_target, start_position = self._start()
        for group in self.source_groups:
            converted = self._convert_group(group)
            if converted is not None:
                self.groups[converted.id] = converted
        if not self.groups:
            raise TypebotImportError("This Typebot has no blocks to import")
        if start_target is None:
            first = next(iter(self.groups.values()))
            start_target = Target(first.id)
            self.report.append(
                Finding(
                    FindingKind.CHANGED,
                    f'the Typebot start leads nowhere; the chat starts at group "{first.title}"',
                )
            )
        start = self._exit(self._resolve(start_target))
        groups = [self._native_group(group) for group in self.groups.values() if self._kept(group)]
        if self.end_group is not None:
            groups.append(self._native_end_group(groups))
        flow: dict[str, Any] = {
            "name": str(self.document.get("name") or "Imported Typebot"),
            **self._aliases(),
            "semantics": "typebot",  # values and conditions behave as in Typebot
            "variables": self.variables.native(),
            "start": ({"group": start} if isinstance(start, str) else dict(start))
            | {"position": start_position},
            "groups": groups,
        }
        self._check(flow)
        return TypebotImport(flow, self.report)

    def _aliases(self) -> dict[str, list[str]]:
        """The Typebot's publicId and ID, so that chat URLs and embeds made for it still work."""
        ids = [self.document.get("publicId"), self.document.get("id")]
        kept = []
        for value in dict.fromkeys(i for i in ids if isinstance(i, str) and i):
            if re.fullmatch(ALIAS_PATTERN, value):
                kept.append(value)
            else:
                self.report.append(
                    Finding(
                        FindingKind.CHANGED,
                        f'the Typebot ID "{value}" cannot be one of the flow\'s other IDs '
                        "(letters, digits and - _ . ~ only); chats cannot find the flow by it",
                    )
                )
        return {"aliases": kept} if kept else {}

    def _check(self, flow: dict[str, Any]) -> None:
        """Says what segflow's own checks find, should the import have missed something."""
        try:
            parse_flow(flow, source="The imported flow")
        except FlowError as error:
            for problem in error.problems:
                self.report.append(
                    Finding(FindingKind.SETUP, f"fix before the flow runs: {problem}")
                )

    # Reading the Typebot graph

    def _start(self) -> tuple[Target | None, dict[str, Any]]:
        """Where the chat starts, and where the editor draws the start."""
        if self.version in _WITH_START_BLOCK:
            for group in self.source_groups:
                for block in group.get("blocks") or []:
                    if isinstance(block, Mapping) and block.get("type") == "start":
                        edge = self._edge(str(block.get("id")), None, block.get("outgoingEdgeId"))
                        return self._edge_target(edge, None), _position(group)
            return None, {"x": 0, "y": 0}
        events = [e for e in self.document.get("events") or [] if isinstance(e, Mapping)]
        event = next((e for e in events if e.get("type") == "start"), None)
        if event is None:
            return None, {"x": 0, "y": 0}
        edge = self._edge(str(event.get("id")), None, event.get("outgoingEdgeId"))
        return self._edge_target(edge, None), _position(event)

    def exit_of(
        self, block_id: str, item_id: str | None, edge_id: Any, context: BlockContext
    ) -> Target | None:
        return self._edge_target(self._edge(block_id, item_id, edge_id), context)

    def target(self, group_id: Any, block_id: Any, context: BlockContext | None) -> Target | None:
        group_id = str(group_id) if group_id else ""
        if group_id not in self.block_ids:
            if group_id:
                self._note(
                    context,
                    f"it leads to group {group_id}, which is not in the export; "
                    "that exit was left out",
                )
            return None
        if block_id and str(block_id) not in self.block_ids[group_id]:
            self._note(
                context,
                f"it leads to block {block_id}, which is not in its group; "
                "it leads to the start of the group instead",
            )
            block_id = None
        return Target(group_id, str(block_id) if block_id else None)

    def is_this_bot(self, typebot_id: str) -> bool:
        return typebot_id in self.own_ids

    def is_imported(self, typebot_id: str) -> bool:
        return typebot_id in self.imported_with

    def _edge(self, source_id: str, item_id: str | None, edge_id: Any) -> Mapping[str, Any] | None:
        # Typebot follows the id a block or item holds; older exports may only have the edge.
        edge = self.edges.get(str(edge_id)) if edge_id else None
        return edge if edge is not None else self.edges_from.get((source_id, item_id))

    def _edge_target(
        self, edge: Mapping[str, Any] | None, context: BlockContext | None
    ) -> Target | None:
        if edge is None:
            return None
        to = _mapping(edge.get("to"))
        return self.target(to.get("groupId"), to.get("blockId"), context)

    def _convert_group(self, group: Mapping[str, Any]) -> _Group | None:
        title = str(group.get("title") or "")
        blocks = []
        for block in group.get("blocks") or []:
            if (
                not isinstance(block, Mapping)
                or not block.get("id")
                or block.get("type") == "start"
            ):
                continue
            context = BlockContext(block, title, self, self.variables, self.report)
            converted = convert_block(context)
            jumps = not isinstance(converted, Skipped) and converted["type"] == "jump"
            own_exit = None if isinstance(converted, Skipped) or jumps else context.exit
            blocks.append(_Block(context.id, converted, own_exit))
        if not blocks and self.version in _WITH_START_BLOCK and group.get("blocks"):
            return None  # the group that only held the start block
        return _Group(str(group["id"]), title, _position(group), blocks)

    # Writing the segflow flow

    def _resolve(self, target: Target) -> Target | None:
        """Where arriving at `target` really goes once skipped blocks are gone; None: the end."""
        seen: set[str] = set()
        while True:
            group = self.groups.get(target.group)
            if group is None or not group.blocks:
                return None
            ids = [b.id for b in group.blocks]
            index = ids.index(target.block) if target.block in ids else 0
            block = group.blocks[index]
            converted = block.converted
            if not isinstance(converted, Skipped):
                return Target(group.id, block.id)
            if block.id in seen:
                return None
            seen.add(block.id)
            if converted.continue_to is not None:
                target = converted.continue_to
            elif index + 1 < len(group.blocks):
                target = Target(group.id, group.blocks[index + 1].id)
            else:
                return None

    def _exit(self, resolved: Target | None) -> str | dict[str, str]:
        """A resolved target as a segflow exit: `GROUP` or `{group, block}`."""
        if resolved is None:
            if self.end_group is None:
                self.end_group = _unique("end", self.groups)
            return self.end_group
        first = next(b for b in self.groups[resolved.group].blocks if not _skipped(b))
        if resolved.block in (None, first.id):
            return resolved.group
        return {"group": resolved.group, "block": str(resolved.block)}

    def _native_group(self, group: _Group) -> dict[str, Any]:
        blocks = []
        for index, block in enumerate(group.blocks):
            if isinstance(block.converted, Skipped):
                continue
            branches = block.converted["type"] == "condition"
            # Going on past the block (no exit, or a condition item that passes without one).
            onward = self._onward(group, index) if branches or not block.exit else None
            native: dict[str, Any] = {"id": block.id}
            for key, value in block.converted.items():
                if key == "target":  # a jump's or a link's
                    native |= _as_target(self._exit(self._resolve(value)))
                elif key == "items":
                    native["items"] = [self._native_item(item) for item in value]
                elif isinstance(value, Target):  # an exit of the block's own (A/B test paths)
                    native[key] = self._exit(self._resolve(value))
                else:
                    native[key] = value
            next_exit = self._exit(self._resolve(block.exit)) if block.exit else onward
            if next_exit is not None:
                native["next"] = next_exit
            blocks.append(native)
        return {"id": group.id, "title": group.title, "position": group.position, "blocks": blocks}

    def _native_item(self, item: dict[str, Any]) -> dict[str, Any]:
        if isinstance(item.get("next"), Target):
            return item | {"next": self._exit(self._resolve(item["next"]))}
        return item  # a condition item that passes without an exit ends the path (semantics)

    def _onward(self, group: _Group, index: int) -> str | dict[str, str] | None:
        """Where going on past the block leads, if skipped blocks change that; else None."""
        if index + 1 >= len(group.blocks) or not _skipped(group.blocks[index + 1]):
            return None
        resolved = self._resolve(Target(group.id, group.blocks[index + 1].id))
        following = group.surviving_after(index)
        plainly = Target(group.id, following.id) if following is not None else None
        return None if resolved == plainly else self._exit(resolved)

    def _kept(self, group: _Group) -> bool:
        return any(not _skipped(b) for b in group.blocks)

    def _native_end_group(self, groups: list[dict[str, Any]]) -> dict[str, Any]:
        self.report.append(
            Finding(
                FindingKind.CHANGED,
                f'segflow added the empty group "{self.end_group}": the chat ends there, as it '
                "did in Typebot, after exits that led only to skipped blocks",
            )
        )
        right = max((g["position"].get("x", 0) for g in groups), default=0)
        return {
            "id": self.end_group,
            "title": "End",
            "position": {"x": right + 400, "y": 0},
            "blocks": [],
        }

    def _note(self, context: BlockContext | None, message: str) -> None:
        if context is None:
            self.report.append(Finding(FindingKind.CHANGED, f"the start: {message}"))
        else:
            context.note(FindingKind.CHANGED, message)


def _as_target(target: str | dict[str, str]) -> dict[str, str]:
    return {"group": target} if isinstance(target, str) else dict(target)


def _skipped(block: _Block) -> bool:
    return isinstance(block.converted, Skipped)


def _position(node: Mapping[str, Any]) -> dict[str, Any]:
    coordinates = _mapping(node.get("graphCoordinates"))
    return {"x": coordinates.get("x", 0), "y": coordinates.get("y", 0)}


def _unique(name: str, taken: Mapping[str, Any]) -> str:
    unique, number = name, 2
    while unique in taken:
        unique, number = f"{name}-{number}", number + 1
    return unique


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}
