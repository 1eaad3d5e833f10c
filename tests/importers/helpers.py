"""Reading Typebot exports for the tests, and finding things in the flows they become."""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import orjson
import pytest

from segflow.flow import check_flow_document
from segflow.importers import Finding, TypebotImport, import_typebot
from tests.serve_process import ServeProcess

FIXTURES = Path(__file__).parent / "fixtures"
SAMPLES = Path(
    os.environ.get("SEGFLOW_TYPEBOT_SAMPLES")
    or Path(__file__).resolve().parents[2] / ".." / "shared" / "samples" / "typebot"
)
# The real exports live beside the repository, not in it; CI always has them, so there a
# missing folder fails the tests instead of skipping them.
needs_samples = pytest.mark.skipif(
    not SAMPLES.is_dir() and os.environ.get("CI") != "true",
    reason=f"no Typebot samples at {SAMPLES}",
)


def typebot(path: str | Path) -> dict[str, Any]:
    """A Typebot export: a fixture's name, or a path."""
    file = Path(path) if Path(path).is_absolute() else FIXTURES / path
    document: dict[str, Any] = orjson.loads(file.read_bytes())
    return document


def imported(document: str | Path | Mapping[str, Any]) -> TypebotImport:
    """The import of a Typebot export, its flow checked by segflow's own validator: each of its
    problems is one the import report names, to fix before the flow runs."""
    result = import_typebot(typebot(document) if isinstance(document, str | Path) else document)
    told = {finding.message for finding in result.report}
    untold = [
        str(problem)
        for problem in check_flow_document(result.flow).errors
        if f"fix before the flow runs: {problem}" not in told
    ]
    assert not untold, f"problems the import report does not name: {untold}"
    return result


def block(flow: Mapping[str, Any], block_id: str) -> dict[str, Any]:
    found = [b for g in flow["groups"] for b in g["blocks"] if b["id"] == block_id]
    assert found, f"block {block_id} is not in the flow"
    return found[0]


def has_block(flow: Mapping[str, Any], block_id: str) -> bool:
    return any(b["id"] == block_id for g in flow["groups"] for b in g["blocks"])


def group(flow: Mapping[str, Any], group_id: str) -> dict[str, Any]:
    found = [g for g in flow["groups"] if g["id"] == group_id]
    assert found, f"group {group_id} is not in the flow"
    return found[0]


def about(result: TypebotImport, block_id: str) -> list[Finding]:
    """The findings about one block."""
    return [finding for finding in result.report if finding.block_id == block_id]


def typebot_blocks(document: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    """Every block of a Typebot export but the start block of older versions."""
    for typebot_group in document["groups"]:
        for typebot_block in typebot_group["blocks"]:
            if typebot_block["type"] != "start":
                yield typebot_block


def bot(*groups: dict[str, Any], edges: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """A small version 6 Typebot export: its start leads to the first group."""
    start_edge = {"id": "e-start", "from": {"eventId": "ev"}, "to": {"groupId": groups[0]["id"]}}
    return {
        "version": "6",
        "name": "Small bot",
        "events": [{"id": "ev", "type": "start", "outgoingEdgeId": "e-start"}],
        "groups": list(groups),
        "edges": [start_edge, *(edges or [])],
        "variables": [{"id": "v-answer", "name": "answer"}],
    }


def text_block(block_id: str, text: str, **extra: Any) -> dict[str, Any]:
    paragraph = {"type": "p", "children": [{"text": text}]}
    return {"id": block_id, "type": "text", "content": {"richText": [paragraph]}, **extra}


def post(server: ServeProcess, path: str, **body: Any) -> dict[str, Any]:
    """A chat API request that must answer 200; its JSON."""
    response = server.api.post(path, json=body)
    assert response.status_code == 200, response.text
    turn: dict[str, Any] = response.json()
    return turn
