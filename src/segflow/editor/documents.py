"""Flow documents in and out of the editor: a new flow's first draft, imports, exports."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

from segflow.errors import SegflowError
from segflow.flow import DocumentError, parse_document
from segflow.importers import Finding, import_typebot


class FlowImportError(SegflowError):
    """The file to import is neither a segflow flow nor a Typebot export."""


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
