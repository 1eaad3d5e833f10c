"""Block types: segflow's own, described for the editor's forms, and those of other packages."""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from segflow.blocks import BUILT_IN, BlockRegistry, BlockTypeError, load_registry
from segflow.blocks.bubbles import TEXT
from segflow.flow import parse_flow, start_session
from tests.flow.helpers import said


def test_every_built_in_block_type_describes_its_form() -> None:
    categories = {block_type.name: block_type.category for block_type in BUILT_IN}
    assert categories == {
        "text": "bubble",
        "image": "bubble",
        "video": "bubble",
        "audio": "bubble",
        "embed": "bubble",
        "textInput": "input",
        "emailInput": "input",
        "numberInput": "input",
        "choiceInput": "input",
        "urlInput": "input",
        "phoneInput": "input",
        "dateInput": "input",
        "ratingInput": "input",
        "setVariable": "logic",
        "condition": "logic",
        "jump": "logic",
        "return": "logic",
        "link": "logic",
        "abTest": "logic",
        "wait": "logic",
        "redirect": "logic",
        "httpRequest": "integration",
        "segment": "integration",
    }
    email = {block.name: block for block in BUILT_IN}["emailInput"].options_schema()
    assert email["required"] == ["variable"]
    assert email["properties"]["retryMessage"]["title"] == "Retry message"
    assert email["properties"]["variable"]["ui"] == "variable"


def test_the_segment_blocks_form_has_one_shape_per_action() -> None:
    schema = {block.name: block for block in BUILT_IN}["segment"].options_schema()
    shapes = {name: shape for name, shape in schema["$defs"].items() if name.endswith("Block")}

    track = shapes["TrackEventBlock"]
    assert track["required"] == ["eventName"]  # User ID may stay empty in a chat
    assert track["properties"]["eventName"]["title"] == "Event Name"
    assert track["properties"]["destination"]["title"] == "Segment account"
    assert "chat's user ID" in track["properties"]["userId"]["description"]
    assert "required" not in shapes["IdentifyUserBlock"]  # neither User ID nor Email: a chat
    # always has its anonymous ID
    assert sorted(schema["discriminator"]["mapping"]) == [
        "Alias",
        "Group",
        "Identify User",
        "Page View",
        "Screen",
        "Track Event",
    ]


@pytest.fixture
def weather_package(tmp_path: Path) -> Iterator[None]:
    """An installed package that adds a "weather" block type through the entry point group."""
    (tmp_path / "segflow_weather.py").write_text(
        textwrap.dedent(
            """
            from pydantic import Field
            from segflow.blocks import BlockOptions, BlockType, TextMessage

            class Weather(BlockOptions):
                city: str = Field(title="City")

            def forecast(options, chat):
                chat.say(TextMessage(text=f"Sunny in {options.city}", html=""))

            WEATHER = BlockType(
                name="weather", title="Weather", category="integration",
                options=Weather, run=forecast,
            )
            """
        )
    )
    dist_info = tmp_path / "segflow_weather-1.0.dist-info"
    dist_info.mkdir()
    (dist_info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: segflow-weather\nVersion: 1.0\n"
    )
    (dist_info / "entry_points.txt").write_text(
        "[segflow.blocks]\nweather = segflow_weather:WEATHER\n"
    )
    sys.path.insert(0, str(tmp_path))
    try:
        yield
    finally:
        sys.path.remove(str(tmp_path))
        sys.modules.pop("segflow_weather", None)


@pytest.mark.usefixtures("weather_package")
def test_a_package_adds_block_types_that_flows_can_use() -> None:
    registry = load_registry()
    document = {
        "name": "Weather",
        "groups": [
            {"id": "g", "title": "G", "blocks": [{"id": "w", "type": "weather", "city": "Oslo"}]}
        ],
    }

    flow = parse_flow(document, registry=registry)

    assert "weather" in registry.names
    assert said(start_session(flow)) == ["Sunny in Oslo"]


def test_two_block_types_cannot_share_a_name() -> None:
    with pytest.raises(BlockTypeError, match='Two block types are named "text"'):
        BlockRegistry([*BUILT_IN, TEXT])
