"""Checking a flow reports every problem at once, each with its place, in builder's words."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest
import yaml

from segflow.flow import FlowError, FlowProblem, check_flow_document, load_flow, parse_flow

EXAMPLE = Path(__file__).parents[2] / "examples" / "lead-capture.yaml"


def problems(document: dict[str, Any], **options: Any) -> list[str]:
    with pytest.raises(FlowError) as refused:
        parse_flow(document, **options)
    return [str(problem) for problem in refused.value.problems]


def test_the_example_flow_is_valid() -> None:
    flow = load_flow(EXAMPLE)

    assert flow.name == "Lead capture"
    assert [group.title for group in flow.groups] == ["Welcome", "Email", "Plan", "Seats", "Thanks"]


def test_every_problem_is_listed_with_its_place() -> None:
    document = {
        "name": "Broken",
        "variables": [{"name": "email"}, {"name": "name"}, {"name": "email"}],
        "start": {"group": "welcom"},
        "groups": [
            {
                "id": "welcome",
                "title": "Welcome",
                "blocks": [
                    {"id": "styled", "type": "text", "text": "Hi", "colour": "red"},
                    {"id": "hello", "type": "text", "text": "Hi {{nme}}"},
                    {"id": "ask", "type": "emailInput", "variable": "mail", "next": "emial"},
                ],
            },
            {
                "id": "email",
                "title": "Email",
                "blocks": [
                    {"id": "identify", "type": "segment", "action": "Track Event"},
                    {"id": "ask", "type": "numberInput", "variable": "age", "min": 5, "max": 1},
                    {"id": "typo", "type": "sgment"},
                    {"id": "pick", "type": "choiceInput", "items": [{"id": "a"}]},
                    {"id": "go", "type": "jump", "group": "email", "block": "nowhere"},
                    {
                        "id": "calc",
                        "type": "setVariable",
                        "variable": "name",
                        "expression": "name.upper()",
                    },
                    {"id": "both", "type": "setVariable", "variable": "name"},
                ],
            },
        ],
    }

    assert problems(document) == [
        'Group "Welcome" › block 1 (Text): "colour" is not a known setting (a typo?)',
        'Group "Email" › block 1 (Segment): Event Name is required',
        'Group "Email" › block 2 (Number input): Minimum (5) is greater than Maximum (1)',
        'Group "Email" › block 3 (sgment): Type "sgment" is not a block type (the types are '
        "text, image, video, audio, embed, textInput, emailInput, numberInput, choiceInput, "
        "urlInput, phoneInput, dateInput, ratingInput, setVariable, condition, jump, return, link, "
        "abTest, wait, redirect, httpRequest, segment)",
        'Group "Email" › block 4 (Buttons): Buttons #1 › Label is required',
        "Group \"Email\" › block 6 (Set variable): Expression: attribute access ('.') is not "
        "allowed (at position 5); use the functions instead, e.g. upper(name)",
        'Group "Email" › block 7 (Set variable): Value, Expression, Chat ID or Clear is required',
        'Flow: the block ID "ask" is used 2 times (in Group "Welcome", Group "Email"); '
        "each block needs its own",
        'Flow: the variable "email" is listed 2 times',
        'Flow: Start goes to group "welcom", which does not exist (did you mean "welcome"?)',
        'Group "Welcome" › block 3 (Email input): Exit goes to group "emial", which does not '
        'exist (did you mean "email"?)',
        'Group "Email" › block 5 (Jump): Jump goes to block "nowhere", which is not in group '
        '"Email"',
        'Group "Welcome" › block 2 (Text): the variable "nme" (Text) is not in the flow\'s '
        'variables (did you mean "name"?)',
        'Group "Welcome" › block 3 (Email input): the variable "mail" (Save the answer in) is '
        'not in the flow\'s variables (did you mean "email"?)',
    ]


def test_variables_are_checked_wherever_they_are_used() -> None:
    document = yaml.safe_load(
        """
        name: Uses
        variables: [{name: known}]
        groups:
          - id: g
            title: G
            blocks:
              - {id: set, type: setVariable, variable: total, expression: "known * price"}
              - id: check
                type: condition
                items: [{comparisons: [{variable: plan, operator: equals, value: "{{tier}}"}]}]
              - id: track
                type: segment
                action: Track Event
                eventName: "{{event}}"
                properties: [{key: seats, value: seat_count, type: variable}]
        """
    )

    assert problems(document) == [
        f'Group "G" › block {block} ({title}): the variable "{name}" ({field}) is not in the '
        "flow's variables"
        for block, title, name, field in [
            (1, "Set variable", "total", "Variable"),
            (1, "Set variable", "price", "Expression"),
            (2, "Condition", "plan", "Conditions #1 › Comparisons #1 › Variable"),
            (2, "Condition", "tier", "Conditions #1 › Comparisons #1 › Value"),
            (3, "Segment", "event", "Event Name"),
            (3, "Segment", "seat_count", 'Properties #1 "seats"'),
        ]
    ]


def test_segment_accounts_are_checked_against_the_destinations_given() -> None:
    document = {
        "name": "Accounts",
        "segment": {"destination": "prodution"},
        "groups": [
            {
                "id": "g",
                "title": "G",
                "blocks": [
                    {
                        "id": "t",
                        "type": "segment",
                        "action": "Page View",
                        "name": "Home",
                        "destination": "stage",
                    }
                ],
            }
        ],
    }

    assert parse_flow(document)  # without a list of accounts, they are not checked
    assert problems(document, destinations=["production", "staging"]) == [
        'Flow: Segment account "prodution" does not exist (the accounts are production, staging)',
        'Group "G" › block 1 (Segment): Segment account "stage" does not exist (the accounts '
        "are production, staging)",
    ]


def test_a_file_that_is_not_yaml_or_json_says_where(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("name: [unclosed\n")

    with pytest.raises(FlowError) as refused:
        load_flow(broken)

    assert str(refused.value) == (
        f"{broken} is not valid YAML: while parsing a flow sequence did not find expected ',' "
        "or ']' (line 2, column 1)"
    )


def test_a_json_file_reads_like_yaml(tmp_path: Path) -> None:
    flow_file = tmp_path / "flow.json"
    block = {"id": "t", "type": "text", "text": "Hi"}
    flow_file.write_bytes(orjson.dumps({"name": "J", "groups": [{"id": "g", "blocks": [block]}]}))

    flow = load_flow(flow_file)

    assert flow.groups[0].shown_title == "g"  # a group without a title shows its ID


def test_a_flow_round_trips_with_its_positions_and_inline_options() -> None:
    document = yaml.safe_load(EXAMPLE.read_text())

    written = load_flow(EXAMPLE).model_dump(mode="json")

    assert written["start"]["position"] == {"x": -300, "y": 0}
    assert written["groups"][1]["position"] == {"x": 400, "y": 0}
    identify = written["groups"][1]["blocks"][2]
    assert {key: identify[key] for key in ("id", "type", "next", "action", "userId")} == {
        "id": "identify",
        "type": "segment",
        "next": "plan",
        "action": "Identify User",
        "userId": "{{email}}",
    }
    assert parse_flow(written) == parse_flow(document)


def test_other_names_and_ids_must_each_say_which_variable_or_flow_they_are() -> None:
    document = yaml.safe_load(EXAMPLE.read_text())
    document["aliases"] = ["lead-abc", "no spaces/slashes"]
    assert problems(document) == [
        'Flow: Other IDs #2: "no spaces/slashes" cannot be used in a chat URL: use up to 100 '
        "letters, digits and - _ . ~"
    ]

    document["aliases"] = ["lead-abc", "lead-abc"]
    document["variables"][0]["aliases"] = ["First name", "email"]
    document["variables"][2]["aliases"] = ["First name"]
    assert problems(document) == [
        'Flow: the other name "email" of variable "name" is the name of another variable',
        'Flow: the variables "name" and "plan" share the other name "First name"',
        'Flow: the other ID "lead-abc" is listed 2 times',
    ]


def test_values_that_can_never_be_sent_are_problems_before_any_chat() -> None:
    rows = [
        {"key": "seats", "value": "abc", "type": "number"},
        {"key": "code", "value": "0x10", "type": "number"},
        {"key": "trial", "value": "maybe", "type": "boolean"},
        {"key": "total", "value": "-2.5", "type": "number"},
        {"key": "items", "value": "{{count}}", "type": "number"},  # known once filled in
        {"key": "", "value": "yes", "type": "text"},
    ]
    track = {"id": "t", "type": "segment", "action": "Track Event", "eventName": "  "}
    document = {
        "name": "Values",
        "variables": [{"name": "count"}],
        "groups": [
            {
                "id": "g",
                "title": "G",
                "blocks": [track | {"properties": rows, "context": "[1, 2]"}],
            }
        ],
    }

    assert problems(document) == [
        'Group "G" › block 1 (Segment): Context is not a JSON object',
        'Group "G" › block 1 (Segment): Event Name is required',
        'Group "G" › block 1 (Segment): Properties #1 "seats" is not a number: "abc"',
        'Group "G" › block 1 (Segment): Properties #2 "code" is not a number: "0x10"',
        'Group "G" › block 1 (Segment): Properties #3 "trial" is not a boolean (true/false, '
        'yes/no, 1/0): "maybe"',
        'Group "G" › block 1 (Segment): Properties #6 has a value but no key',
    ]


def test_each_problem_says_which_group_block_and_field_it_is_in() -> None:
    document = {
        "name": "Places",
        "groups": [
            {"id": "g-1", "title": "Ask", "blocks": [{"id": "b-x7", "type": "text", "text": ""}]},
            {"id": "g-1", "blocks": [{"id": "b-k2", "type": "text", "text": "Hi", "next": "no"}]},
        ],
    }

    found = check_flow_document(document).problems

    assert found == [
        FlowProblem(
            'Group "Ask" › block 1 (Text)',
            "Text is required",
            field=("text",),
            group_id="g-1",
            group_title="Ask",
            block_id="b-x7",
            block_position=1,
            block_type="Text",
        ),
        FlowProblem(
            'Group "Ask"', 'its ID "g-1" is used by 2 groups', group_id="g-1", group_title="Ask"
        ),
        FlowProblem(
            'Group "g-1"', 'its ID "g-1" is used by 2 groups', group_id="g-1", group_title="g-1"
        ),
        FlowProblem(
            'Group "g-1" › block 1 (Text)',
            'Exit goes to group "no", which does not exist',
            group_id="g-1",
            group_title="g-1",
            block_id="b-k2",
            block_position=1,
            block_type="Text",
        ),
    ]
