"""One list of problems: `segflow validate`, publishing (with `segflow chat`, the chat
service and the editor's Publish) and the editor's problem list name the same problems in the
same words, each at its group, block and field."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from segflow.chat import Chats
from segflow.flow import FlowError
from segflow.service import Segflow
from tests.editor.harness import EditorServer

CHECKOUT = """
name: Checkout
variables: [{name: email}]
groups:
  - id: welcome
    title: Welcome
    blocks:
      - {id: b-8fk2, type: text, text: "Hi {{nme}}"}
      - {id: b-q0x7, type: emailInput, variable: email, placehodler: you@example.com}
  - id: order
    title: Order
    blocks:
      - id: b-r5m1
        type: segment
        action: Track Event
        eventName: ""
        next: nowhere
        properties:
          - {key: items, value: abc, type: number}
          - {key: code, value: "0x10", type: number}
          - {key: total, value: "16", type: number}
          - {key: cart, value: "{{cart}}", type: number}
"""

PROBLEMS = [
    'Group "Welcome" › block 2 (Email input): "placehodler" is not a known setting (a typo?)',
    'Group "Order" › block 1 (Segment): Event Name is required',
    'Group "Order" › block 1 (Segment): Properties #1 "items" is not a number: "abc"',
    'Group "Order" › block 1 (Segment): Properties #2 "code" is not a number: "0x10"',
    'Group "Order" › block 1 (Segment): Exit goes to group "nowhere", which does not exist',
    'Group "Welcome" › block 1 (Text): the variable "nme" (Text) is not in the flow\'s variables',
    'Group "Order" › block 1 (Segment): the variable "cart" (Properties #4 "cart") is not in the '
    "flow's variables",
]


def segflow_command(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "segflow", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "COLUMNS": "400"},
    )


def listed(lines: str) -> list[str]:
    """The problems a command printed, one per "- " line."""
    return [line.removeprefix("- ") for line in lines.splitlines() if line.startswith("- ")]


@pytest.fixture
def flow_file(tmp_path: Path) -> Path:
    path = tmp_path / "checkout.yaml"
    path.write_text(CHECKOUT)
    return path


def test_validate_publishing_and_the_editor_list_the_same_problems(
    flow_file: Path, editor: EditorServer, segflow: Segflow
) -> None:
    validated = segflow_command("validate", str(flow_file))
    assert validated.returncode == 1
    assert validated.stdout.splitlines()[0] == f"✗ {flow_file} has {len(PROBLEMS)} problems:"
    assert listed(validated.stdout) == PROBLEMS

    chatted = segflow_command("chat", str(flow_file))
    assert chatted.returncode == 1
    assert listed(chatted.stderr) == PROBLEMS

    flow = editor.api.post("/flows", json={"name": "Checkout"}).json()
    saved = editor.api.put(f"/flows/{flow['id']}/draft", json=yaml.safe_load(CHECKOUT))
    assert [problem["message"] for problem in saved.json()["problems"]] == PROBLEMS
    published = editor.api.post(f"/flows/{flow['id']}/publish")
    assert published.status_code == 422
    assert [problem["message"] for problem in published.json()["problems"]] == PROBLEMS

    with pytest.raises(FlowError) as refused:
        Chats(segflow).flows.publish(flow["id"])
    assert [str(problem) for problem in refused.value.problems] == PROBLEMS


def test_each_problem_names_its_group_block_and_field(editor: EditorServer) -> None:
    flow = editor.api.post("/flows", json={"name": "Checkout"}).json()

    saved = editor.api.put(f"/flows/{flow['id']}/draft", json=yaml.safe_load(CHECKOUT))

    where = [
        (p["groupId"], p["groupTitle"], p["blockId"], p["blockPosition"], p["blockType"])
        for p in saved.json()["problems"]
    ]
    assert where == [
        ("welcome", "Welcome", "b-q0x7", 2, "Email input"),
        *[("order", "Order", "b-r5m1", 1, "Segment")] * 4,
        ("welcome", "Welcome", "b-8fk2", 1, "Text"),
        ("order", "Order", "b-r5m1", 1, "Segment"),
    ]
    fields = [(p["field"], p["problem"]) for p in saved.json()["problems"]]
    assert fields[:4] == [
        (["placehodler"], '"placehodler" is not a known setting (a typo?)'),
        (["eventName"], "Event Name is required"),
        (["properties", 0, "value"], 'Properties #1 "items" is not a number: "abc"'),
        (["properties", 1, "value"], 'Properties #2 "code" is not a number: "0x10"'),
    ]


def test_a_fixed_flow_is_valid_everywhere(
    flow_file: Path, editor: EditorServer, segflow: Segflow
) -> None:
    document: dict[str, Any] = yaml.safe_load(CHECKOUT)
    document["variables"] += [{"name": "nme"}, {"name": "cart"}]
    welcome, order = document["groups"]
    del welcome["blocks"][1]["placehodler"]
    track = order["blocks"][0]
    track["eventName"] = "Order Completed"
    del track["next"]
    track["properties"] = [
        {"key": "items", "value": "3", "type": "number"},
        {"key": "total", "value": "16.5", "type": "number"},
    ]
    flow_file.write_text(yaml.safe_dump(document))

    validated = segflow_command("validate", str(flow_file))
    assert validated.returncode == 0, validated.stdout
    flow = editor.api.post("/flows", json={"name": "Checkout"}).json()
    saved = editor.api.put(f"/flows/{flow['id']}/draft", json=document)
    assert saved.json()["problems"] == []
    assert editor.api.post(f"/flows/{flow['id']}/publish").status_code == 200
    assert Chats(segflow).flows.published(flow["id"]).version == 1
