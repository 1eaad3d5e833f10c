"""The imported flow as a whole: versions, start, groups, exits, skipped blocks, variables."""

from typing import Any

import pytest

from segflow.importers import FindingKind, TypebotImportError, import_typebot
from tests.importers.helpers import (
    FIXTURES,
    about,
    block,
    bot,
    group,
    has_block,
    imported,
    text_block,
    typebot,
    typebot_blocks,
)

FIXTURE_NAMES = sorted(path.name for path in FIXTURES.glob("*.json"))


@pytest.mark.parametrize("name", FIXTURE_NAMES)
def test_every_fixture_imports_into_a_flow_segflow_accepts(name: str) -> None:
    result = imported(name)

    to_fix = [f.message for f in result.report if "fix before the flow runs" in f.message]
    # The lead capture's Track Event has no name in Typebot: that is for its builder to fill in.
    assert to_fix == (
        [
            'fix before the flow runs: Group "Tell Segment" › block 5 (Segment): Event Name is '
            "required"
        ]
        if name == "lead-capture.v6.1.json"
        else []
    )


@pytest.mark.parametrize("name", FIXTURE_NAMES)
def test_no_block_is_dropped_silently(name: str) -> None:
    document = typebot(name)
    result = imported(document)

    reported = {finding.block_id for finding in result.report}
    for typebot_block in typebot_blocks(document):
        assert has_block(result.flow, typebot_block["id"]) or typebot_block["id"] in reported


def test_groups_keep_their_ids_titles_and_places() -> None:
    flow = imported("lead-capture.v6.1.json").flow

    assert flow["name"] == "Lead capture"
    assert [(g["id"], g["title"], g["position"]) for g in flow["groups"][:2]] == [
        ("g-welcome", "Welcome", {"x": 0, "y": 0}),
        ("g-email", "Email", {"x": 400, "y": 0}),
    ]
    assert flow["start"] == {"group": "g-welcome", "position": {"x": -200, "y": 10}}


def test_edges_become_exits_of_blocks_and_choices() -> None:
    flow = imported("lead-capture.v6.1.json").flow

    assert block(flow, "b-ask-name")["next"] == "g-email"
    plan = block(flow, "b-ask-plan")
    assert plan["items"][0]["next"] == "g-segment"  # the choice's own exit
    assert "next" not in plan["items"][1]  # follows the block's exit
    assert plan["next"] == "g-comment"
    assert "next" not in block(flow, "b-hello")  # goes on with the next block


def test_an_edge_into_the_middle_of_a_group_names_the_block() -> None:
    flow = imported("quiz-logic.v6.json").flow

    assert block(flow, "b-low-1")["next"] == {"group": "g-low", "block": "b-low-2"}
    assert block(flow, "b-jump") == {
        "id": "b-jump",
        "type": "jump",
        "group": "g-low",
        "block": "b-low-2",
    }


def test_version_5_start_block_becomes_the_start() -> None:
    result = imported("menu.v5.json")
    flow = result.flow

    assert flow["start"] == {"group": "g-menu", "position": {"x": -300, "y": 20}}
    assert [g["id"] for g in flow["groups"]] == ["g-menu", "g-cpf", "g-valid"]  # no Start group
    assert block(flow, "b-menu")["items"][0]["next"] == "g-cpf"
    assert block(flow, "b-menu")["next"] == {"group": "g-menu", "block": "b-menu-text"}


@pytest.mark.parametrize("version", ["3", "4"])
def test_versions_3_and_4_read_like_version_5(version: str) -> None:
    older = typebot("menu.v5.json") | {"version": version}

    assert imported(older).flow == imported("menu.v5.json").flow


def test_version_6_and_6_1_read_alike() -> None:
    document = typebot("lead-capture.v6.1.json")

    assert imported(document | {"version": "6"}).flow == imported(document).flow


@pytest.mark.parametrize(
    ("document", "error"),
    [
        ({"version": "2", "groups": []}, 'Typebot export version "2" is not supported'),
        ([1, 2], "expected a JSON object"),
        ({"version": "6"}, 'it has no "groups" list'),
        ({"version": "6", "groups": [], "events": []}, "has no blocks to import"),
    ],
)
def test_what_is_not_a_typebot_export_is_refused_clearly(document: Any, error: str) -> None:
    with pytest.raises(TypebotImportError, match=error):
        import_typebot(document)


def test_an_export_wrapped_as_the_typebot_api_returns_it() -> None:
    document = typebot("menu.v5.json")

    assert imported({"typebot": document}).flow == imported(document).flow


def test_a_start_that_leads_nowhere_starts_at_the_first_group() -> None:
    document = bot({"id": "g-a", "title": "A", "blocks": [text_block("b-a", "Hi")]})
    document["edges"] = []

    result = imported(document)

    assert result.flow["start"]["group"] == "g-a"
    assert any("start leads nowhere" in f.message for f in result.report)


def test_an_exit_to_a_group_missing_from_the_export_is_left_out_and_reported() -> None:
    document = bot(
        {"id": "g-a", "title": "A", "blocks": [text_block("b-a", "Hi", outgoingEdgeId="e-lost")]},
        edges=[{"id": "e-lost", "from": {"blockId": "b-a"}, "to": {"groupId": "g-gone"}}],
    )

    result = imported(document)

    assert "next" not in block(result.flow, "b-a")
    assert "not in the export" in about(result, "b-a")[0].message


class TestSkippedBlocks:
    """A block segflow cannot run is left out; the chat goes where Typebot went after it."""

    def test_the_block_before_takes_over_the_skipped_blocks_exit(self) -> None:
        flow = imported("unsupported.v6.1.json").flow

        # Redirect, then Code (skipped) and a Typebot link (exit to A/B); the Wait and Return
        # after them are kept, though no chat reaches them (nor did in Typebot).
        assert [b["id"] for b in group(flow, "g-logic")["blocks"]] == [
            "b-redirect",
            "b-link",
            "b-wait",
            "b-return",
        ]
        assert "next" not in block(flow, "b-redirect")  # on to the link, past the Code
        assert block(flow, "b-link")["next"] == "g-ab"

    def test_an_ab_test_keeps_its_split_and_both_paths(self) -> None:
        result = imported("unsupported.v6.1.json")

        assert block(result.flow, "b-ab") == {
            "id": "b-ab",
            "type": "abTest",
            "aPercent": 30,
            "a": "g-integrations",
            "b": "end",  # g-save holds only skipped blocks
        }

    def test_an_exit_to_a_group_of_skipped_blocks_ends_the_chat_there(self) -> None:
        result = imported("unsupported.v6.1.json")
        flow = result.flow

        assert not any(g["id"] == "g-save" for g in flow["groups"])
        assert block(flow, "b-pictures")["items"][0]["next"] == "end"
        assert (group(flow, "end")["title"], group(flow, "end")["blocks"]) == ("End", [])
        assert any('added the empty group "end"' in f.message for f in result.report)

    def test_a_skipped_block_without_exit_lets_the_chat_go_on_with_the_next_one(self) -> None:
        flow = imported("unsupported.v6.1.json").flow

        blocks = [b["id"] for b in group(flow, "g-integrations")["blocks"]]
        assert blocks == ["b-webhook", "b-thanks"]  # the HTTP request is kept

    def test_a_jump_into_a_skipped_block_lands_where_it_leads(self) -> None:
        document = bot(
            {
                "id": "g-a",
                "title": "A",
                "blocks": [
                    {
                        "id": "b-jump",
                        "type": "Jump",
                        "options": {"groupId": "g-b", "blockId": "b-wait"},
                    }
                ],
            },
            {
                "id": "g-b",
                "title": "B",
                "blocks": [
                    text_block("b-first", "First"),
                    {"id": "b-wait", "type": "Code", "options": {"content": "pause()"}},
                    text_block("b-last", "Last"),
                ],
            },
        )

        flow = imported(document).flow

        assert block(flow, "b-jump")["group"] == "g-b"
        assert block(flow, "b-jump")["block"] == "b-last"

    def test_a_condition_that_passes_without_exit_ends_the_chat_as_in_typebot(self) -> None:
        condition = {
            "id": "b-check",
            "type": "Condition",
            "items": [
                {
                    "id": "c-yes",
                    "content": {
                        "comparisons": [
                            {"id": "k", "variableId": "v-answer", "comparisonOperator": "Is set"}
                        ]
                    },
                }
            ],
        }
        webhook = {"id": "b-hook", "type": "webhook", "outgoingEdgeId": "e-hook"}
        document = bot(
            {"id": "g-a", "title": "A", "blocks": [condition, webhook]},
            {"id": "g-b", "title": "B", "blocks": [text_block("b-b", "After the webhook")]},
            edges=[{"id": "e-hook", "from": {"blockId": "b-hook"}, "to": {"groupId": "g-b"}}],
        )

        check = block(imported(document).flow, "b-check")

        assert check["next"] == "g-b"  # Else
        # Passed, no exit of its own: the path ends there, by the flow's Typebot rules.
        assert "next" not in check["items"][0]
        assert imported(document).flow["semantics"] == "typebot"


class TestVariables:
    def test_names_are_kept_and_referred_to_by_name(self) -> None:
        flow = imported("lead-capture.v6.1.json").flow

        assert {"name": "Email"} in flow["variables"]
        assert block(flow, "b-ask-email")["variable"] == "Email"
        assert block(flow, "b-identify")["userId"] == "{{Email}}"

    def test_a_name_with_spaces_gets_a_valid_unique_one_everywhere(self) -> None:
        result = imported("lead-capture.v6.1.json")
        flow = result.flow

        names = [variable["name"] for variable in flow["variables"]]
        assert "First_name" in names  # Typebot's own "First_name" keeps its name
        assert block(flow, "b-ask-name")["variable"] == "First_name_2"  # "First name"
        assert block(flow, "b-ask-email-text")["text"] == (
            "Nice to meet you {{First_name_2}}! Your email?"
        )
        assert any(
            'variable "First name" is named "First_name_2"' in finding.message
            and finding.group is None
            for finding in result.report
        )

    def test_initial_values_are_kept(self) -> None:
        document = bot({"id": "g-a", "title": "A", "blocks": [text_block("b-a", "{{answer}}")]})
        document["variables"] = [
            {"id": "v-answer", "name": "answer", "value": "42"},
            {"id": "v-list", "name": "colors", "value": ["red", "blue"]},
        ]

        assert imported(document).flow["variables"] == [
            {"name": "answer", "value": "42"},
            {"name": "colors", "value": ["red", "blue"]},
        ]

    def test_text_that_refers_to_no_variable_fills_in_empty_as_in_typebot(self) -> None:
        result = imported("lead-capture.v6.1.json")

        assert block(result.flow, "b-alias")["previousId"] == "{{Visitor_ID}}"
        assert {"name": "Visitor_ID"} in result.flow["variables"]
        assert any("{{Visitor ID}}" in f.message for f in about(result, "b-alias"))

    def test_an_input_that_kept_its_answer_nowhere_gets_a_variable(self) -> None:
        result = imported("lead-capture.v6.1.json")

        assert block(result.flow, "b-ask-comment")["variable"] == "Anything_else"
        assert {"name": "Anything_else"} in result.flow["variables"]
        assert any(
            f.kind is FindingKind.CHANGED and '"Anything_else"' in f.message
            for f in about(result, "b-ask-comment")
        )
