"""The published JSON Schema of flow documents, with one schema per block type.

Made from the same models that read flows, so the schema cannot disagree with them: the
document from `Flow`, each block from its type's options model, with `id`, `type` and `next`
added beside the options (a Segment block: one schema per action).
"""

from __future__ import annotations

import copy
from typing import Any

from segflow.blocks import BlockRegistry, BlockType, Exit, default_registry
from segflow.flow.model import Flow

_DEFS = "#/$defs/"


def flow_json_schema(registry: BlockRegistry | None = None) -> dict[str, Any]:
    registry = registry or default_registry()
    schema = Flow.model_json_schema(by_alias=True, ref_template=_DEFS + "{model}")
    definitions: dict[str, Any] = schema.setdefault("$defs", {})
    exit_schema = Exit.model_json_schema(by_alias=True, ref_template=_DEFS + "{model}")
    definitions.update(exit_schema.pop("$defs", {}))
    definitions["Exit"] = exit_schema
    variants = [
        variant for block_type in registry for variant in _block_variants(block_type, definitions)
    ]
    definitions["Block"] = {"title": "Block", "oneOf": variants}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        **schema,
    }


def _block_variants(block_type: BlockType[Any], definitions: dict[str, Any]) -> list[Any]:
    """One object schema per shape of the block's options (several for a union)."""
    options = copy.deepcopy(block_type.options_schema())
    options_definitions: dict[str, Any] = options.pop("$defs", {})
    definitions.update(options_definitions)
    members = options.get("oneOf") or options.get("anyOf")
    shapes = (
        [options_definitions[member["$ref"].removeprefix(_DEFS)] for member in members]
        if members
        else [options]
    )
    return [_block_schema(block_type, shape) for shape in shapes]


def _block_schema(block_type: BlockType[Any], options: dict[str, Any]) -> dict[str, Any]:
    title = block_type.title
    if "action" in options.get("properties", {}):
        title = f"{title}: {options['properties']['action'].get('default')}"
    return {
        "title": title,
        "description": block_type.description or options.get("description", ""),
        "type": "object",
        "x-category": block_type.category,
        "properties": {
            "id": {"type": "string", "minLength": 1, "title": "ID"},
            "type": {"const": block_type.name, "title": "Type"},
            "next": {"$ref": _DEFS + "Exit"},
            **options.get("properties", {}),
        },
        "required": ["id", "type", *options.get("required", [])],
        "additionalProperties": False,
    }
