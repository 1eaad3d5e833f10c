"""The published JSON Schema accepts the flows segflow accepts, and describes every block type."""

from __future__ import annotations

from pathlib import Path

import jsonschema
import yaml

from segflow.blocks import default_registry
from segflow.flow import flow_json_schema

EXAMPLE = Path(__file__).parents[2] / "examples" / "lead-capture.yaml"


def test_the_example_flow_is_valid_against_the_schema() -> None:
    schema = flow_json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)

    jsonschema.validate(yaml.safe_load(EXAMPLE.read_text()), schema)


def test_the_schema_refuses_an_unknown_key_and_a_segment_block_without_its_event_name() -> None:
    validator = jsonschema.Draft202012Validator(flow_json_schema())
    document = {
        "name": "Bad",
        "groups": [
            {
                "id": "g",
                "blocks": [
                    {"id": "t", "type": "text", "text": "Hi", "colour": "red"},
                    {"id": "s", "type": "segment", "action": "Track Event"},
                ],
            }
        ],
    }

    failing_blocks = {tuple(error.path)[:4] for error in validator.iter_errors(document)}

    assert failing_blocks == {("groups", 0, "blocks", 0), ("groups", 0, "blocks", 1)}


def test_each_block_type_has_its_form_in_the_schema() -> None:
    variants = flow_json_schema()["$defs"]["Block"]["oneOf"]

    names = {variant["properties"]["type"]["const"] for variant in variants}
    assert names == set(default_registry().names)
    integration_titles = sorted(v["title"] for v in variants if v["x-category"] == "integration")
    assert integration_titles == [
        "HTTP request",
        "Segment: Alias",
        "Segment: Group",
        "Segment: Identify User",
        "Segment: Page View",
        "Segment: Screen",
        "Segment: Track Event",
    ]
