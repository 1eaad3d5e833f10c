"""Flow documents in and out of the editor: a new flow's first draft, drafts it can read,
imports, exports."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

from segflow.errors import SegflowError
from segflow.flow import DocumentError, parse_document
from segflow.importers import Finding, import_typebot


class FlowImportError(SegflowError):
    """The file to import is neither a segflow flow nor a Typebot export."""


class UnreadableDraftError(SegflowError):
    """A draft to save is not a flow document at all: the editor could not open it again."""


def first_draft(name: str) -> dict[str, Any]:
    """A new flow: one empty group where the chat starts."""
    return {
        "name": name.strip(),
        "variables": [],
        "start": {"group": "welcome", "position": {"x": -240, "y": 40}},
        "groups": [
            {"id": "welcome", "title": "Welcome", "position": {"x": 0, "y": 0}, "blocks": []}
        ],
    }


def check_readable(draft: Mapping[str, Any], shown: str) -> None:
    """Refuses a draft the editor could not open again: any flow with problems is saved (they
    keep it from being published), but it must be a named list of groups holding blocks."""
    name = draft.get("name")
    if not isinstance(name, str) or not name.strip():
        raise UnreadableDraftError(f'{shown} is not a flow document: it has no "name"')
    groups = draft.get("groups")
    if not isinstance(groups, list):
        raise UnreadableDraftError(f'{shown} is not a flow document: "groups" must be a list')
    for number, group in enumerate(groups, 1):
        if not isinstance(group, Mapping):
            raise UnreadableDraftError(f"{shown}: group {number} is not an object")
        blocks = group.get("blocks", [])
        if not isinstance(blocks, list) or not all(isinstance(b, Mapping) for b in blocks):
            title = group.get("title") or group.get("id") or number
            raise UnreadableDraftError(
                f'{shown}: "blocks" of group "{title}" must be a list of blocks (objects)'
            )
    if not isinstance(draft.get("variables", []), list):
        raise UnreadableDraftError(f'{shown}: "variables" must be a list')


@dataclass(frozen=True)
class ImportedFlow:
    document: dict[str, Any]
    source: str  # "segflow" or "typebot"
    report: list[Finding] = field(default_factory=list)


def read_import(text: str, filename: str = "", known: Collection[str] = ()) -> ImportedFlow:
    """The flow in an uploaded file: a segflow flow (YAML or JSON) or a Typebot export (JSON).
    `known` holds the IDs of the flows there are, which a Typebot's links may name."""
    shown = f'"{filename}"' if filename else "The file"
    try:
        document = parse_document(text, source=shown)
    except DocumentError as error:
        raise FlowImportError(str(error)) from None
    if not isinstance(document, Mapping):
        raise FlowImportError(f"{shown} does not hold a flow (a JSON or YAML object)")
    if "version" in document or "typebot" in document:  # segflow flows have no "version"
        imported = import_typebot(document, imported_with=known)
        return ImportedFlow(dict(imported.flow), "typebot", list(imported.report))
    if not isinstance(document.get("name"), str) or not document["name"].strip():
        raise FlowImportError(f'{shown} is not a segflow flow: it has no "name"')
    return ImportedFlow(dict(document), "segflow")


def finding_json(finding: Finding) -> dict[str, Any]:
    return {
        "kind": finding.kind.value,
        "message": finding.message,
        "place": finding.place,
        "blockId": finding.block_id,
        "text": str(finding),
    }
