"""Typebot's Return, links to the same bot and to other bots, and exports without a version,
imported and chatted through as Typebot would."""

from __future__ import annotations

from typing import Any

from segflow.flow import Flow, continue_session, parse_flow, read_document, start_session
from segflow.importers import FindingKind, import_typebot
from tests.importers.helpers import FIXTURES, about, block, bot, has_block, imported
from tests.importers.test_imported_chats import said


def text(block_id: str, words: str) -> dict[str, Any]:
    paragraph = {"type": "p", "children": [{"text": words}]}
    return {"id": block_id, "type": "text", "content": {"richText": [paragraph]}}


def flow_of(document: dict[str, Any]) -> Flow:
    return parse_flow(imported(document).flow)


def test_an_export_without_a_version_is_read_as_version_3() -> None:
    result = imported("old-greeter.no-version.json")
    turn = start_session(parse_flow(result.flow))

    assert said(turn) == ["Hello from an old export"]
    assert turn.input is not None and turn.input.block_id == "b-name"


def test_a_return_with_no_jump_before_it_goes_on_to_its_own_exit() -> None:
    back = {"id": "b-ret", "type": "Return", "outgoingEdgeId": "e-b"}
    document = bot(
        {"id": "g-a", "title": "A", "blocks": [back]},
        {"id": "g-b", "title": "B", "blocks": [text("b-then", "Carried on")]},
        edges=[{"id": "e-b", "from": {"blockId": "b-ret"}, "to": {"groupId": "g-b"}}],
    )

    turn = start_session(flow_of(document))

    assert said(turn) == ["Carried on"]
    assert turn.ended


def test_the_last_jump_is_the_one_a_return_goes_back_to() -> None:
    document = bot(
        {
            "id": "g-main",
            "title": "Main",
            "blocks": [
                {"id": "b-j1", "type": "Jump", "options": {"groupId": "g-one"}},
                text("b-after-1", "After the first jump"),
            ],
        },
        {
            "id": "g-one",
            "title": "One",
            "blocks": [
                text("b-in-one", "In one"),
                {"id": "b-j2", "type": "Jump", "options": {"groupId": "g-two"}},
                text("b-after-2", "After the second jump"),
            ],
        },
        {"id": "g-two", "title": "Two", "blocks": [{"id": "b-back", "type": "Return"}]},
    )
    flow = flow_of(document)
    first = start_session(flow)

    # Typebot keeps one return point: the second Jump's replaces the first's, and is used up.
    assert said(first) == ["In one", "After the second jump"]
    assert first.ended


def test_a_return_point_waits_through_an_answer() -> None:
    document = bot(
        {
            "id": "g-main",
            "title": "Main",
            "blocks": [
                {"id": "b-jump", "type": "Jump", "options": {"groupId": "g-ask"}},
                text("b-back", "Back with {{Name}}"),
            ],
        },
        {
            "id": "g-ask",
            "title": "Ask",
            "blocks": [
                {"id": "b-name", "type": "text input", "options": {"variableId": "v-name"}},
                {"id": "b-return", "type": "Return"},
            ],
        },
    ) | {"variables": [{"id": "v-name", "name": "Name"}]}
    flow = flow_of(document)

    turn = continue_session(flow, start_session(flow).state, "Ada")

    assert said(turn) == ["Back with Ada"]
    assert turn.state.variables["Name"] == "Ada"


def test_a_link_to_the_same_bot_becomes_a_link_to_its_group_that_comes_back() -> None:
    result = imported("errands.v6.json")

    assert block(result.flow, "b-to-bye") == {"id": "b-to-bye", "type": "link", "group": "g-bye"}
    assert about(result, "b-to-bye") == []


def test_a_link_to_the_bot_by_its_own_id_is_a_link_within_the_flow() -> None:
    link = {
        "id": "b-self",
        "type": "Typebot link",
        "options": {"typebotId": "bot-test", "groupId": "g-b"},
    }
    result = imported(
        bot(
            {"id": "g-a", "title": "A", "blocks": [link, text("b-back", "Back")]},
            {"id": "g-b", "title": "B", "blocks": [text("b-in", "In B")]},
        )
        | {"id": "bot-test"}
    )

    assert block(result.flow, "b-self") == {"id": "b-self", "type": "link", "group": "g-b"}
    assert said(start_session(parse_flow(result.flow))) == ["In B", "Back"]


def test_a_link_to_another_bot_links_to_the_flow_of_that_bot_and_asks_for_its_export() -> None:
    result = imported("errands.v6.json")

    assert block(result.flow, "b-other-bot") == {
        "id": "b-other-bot",
        "type": "link",
        "flow": "bot-billing",
        "group": "g-pay",
    }
    [finding] = about(result, "b-other-bot")
    assert finding.kind is FindingKind.SETUP
    assert 'links to the Typebot "bot-billing", which is not imported yet' in finding.message
    assert "import that bot's export too" in finding.message


def test_a_link_to_a_bot_imported_along_reports_nothing() -> None:
    result = import_typebot(
        read_document(FIXTURES / "errands.v6.json"), imported_with={"bot-billing"}
    )

    assert about(result, "b-other-bot") == []


def test_a_link_to_the_same_bot_without_a_group_is_skipped_and_reported() -> None:
    link = {"id": "b-self", "type": "Typebot link", "options": {"typebotId": "current"}}
    result = imported(bot({"id": "g-a", "title": "A", "blocks": [link, text("b-on", "On")]}))

    [finding] = about(result, "b-self")
    assert not has_block(result.flow, "b-self")
    assert "to no group" in finding.message
    assert said(start_session(parse_flow(result.flow))) == ["On"]
