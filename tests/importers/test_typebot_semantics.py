"""Imported Typebots compute and branch as they did in Typebot (`semantics: typebot`)."""

from typing import Any

from segflow.blocks import TextMessage
from segflow.flow import Flow, Turn, continue_session, parse_flow, start_session
from tests.importers.helpers import about, imported, typebot


def flow_of(document: str, **changes: Any) -> Flow:
    return parse_flow(imported(document).flow | changes)


def said(turn: Turn) -> list[str]:
    return [m.text for m in turn.messages if isinstance(m, TextMessage)]


def chat(flow: Flow, *answers: str) -> list[Turn]:
    turns = [start_session(flow, anonymous_id="visitor-1")]
    for answer in answers:
        turns.append(continue_session(flow, turns[-1].state, answer))
    return turns


def test_the_importer_makes_every_flow_follow_typebot() -> None:
    assert imported("quiz-logic.v6.json").flow["semantics"] == "typebot"
    assert parse_flow({"name": "Own", "groups": [{"id": "g", "blocks": []}]}).semantics == (
        "segflow"
    )


def test_a_quiz_adds_points_to_a_score_set_as_text() -> None:
    flow = flow_of("capitals-quiz.v6.json")

    full = chat(flow, "Lima", "Nairobi")
    assert said(full[-1]) == ["Full marks: 20/20"]
    assert full[-1].state.variables["Points"] == 20
    assert full[-1].ended

    half = chat(flow, "Cusco", "Nairobi")
    assert said(half[-1]) == ["You scored 10/20"]
    none = chat(flow, "Cusco", "Mombasa")
    assert said(none[-1]) == ["No points this time"]
    assert none[-1].state.variables["Points"] == "0"  # never computed: Typebot's text "0"


def test_the_same_quiz_under_segflows_rules_joins_the_text() -> None:
    turn = chat(flow_of("capitals-quiz.v6.json", semantics="segflow"), "Lima", "Nairobi")[-1]

    assert turn.state.variables["Points"] == "01010"  # why imports follow Typebot instead
    assert said(turn) == ["You scored 01010/20"]


def test_a_lead_score_sums_numeric_text_and_keeps_a_leading_zero_as_text() -> None:
    turns = chat(flow_of("lead-score.v6.json"), "15", "01234")

    assert turns[0].state.variables["Rating"] == 30  # "0" + 10 + 20, not "01020"
    assert said(turns[-1]) == ["Hot lead: 45 points, tag 012341"]
    assert turns[-1].state.variables["Rating"] == 45
    assert turns[-1].state.variables["Tag"] == "012341"  # "01234" stays text, as in Typebot


def test_a_small_team_makes_a_cold_lead() -> None:
    turn = chat(flow_of("lead-score.v6.json"), "5", "75001")[-1]

    assert said(turn) == ["Cold lead: 35 points"]
    assert turn.state.variables["Tag"] == 75002


def test_equal_to_is_case_sensitive_and_contains_is_not() -> None:
    flow = flow_of("coupon-case.v6.json")

    assert said(chat(flow, "SPRING24")[-1]) == ["Coupon SPRING24 applied"]
    assert said(chat(flow, "spring24")[-1]) == ["Did you mean SPRING24? Codes are case-sensitive"]
    assert said(chat(flow, "Sprout")[-1]) == ["Did you mean SPRING24? Codes are case-sensitive"]
    assert said(chat(flow, "WINTER")[-1]) == ["Unknown code WINTER"]


def test_under_segflows_rules_equal_ignores_case() -> None:
    flow = flow_of("coupon-case.v6.json", semantics="segflow")

    assert said(chat(flow, "spring24")[-1]) == ["Coupon SPRING24 applied"]


def test_an_item_that_passes_without_an_exit_ends_the_chat_even_with_an_else_exit() -> None:
    flow = flow_of("dangling-item.v6.json")

    pro = chat(flow, "pro")[-1]  # as Typebot since 2025: not the Else exit of the block
    assert said(pro) == []
    assert pro.ended
    assert said(chat(flow, "team")[-1]) == ["Team plan it is"]


def test_under_segflows_rules_an_item_without_an_exit_ends_the_group() -> None:
    turn = chat(flow_of("dangling-item.v6.json", semantics="segflow"), "pro")[-1]

    assert said(turn) == []
    assert turn.ended


def test_the_report_names_what_still_differs_from_typebot() -> None:
    lead = imported("lead-score.v6.json")
    sum_note = about(lead, "b-add-size")[0]
    assert sum_note.group == "Score"
    assert "reads numeric text as numbers" in sum_note.message
    assert "keeps what it computes as a number" in sum_note.message

    document = typebot("coupon-case.v6.json")
    comparison = document["groups"][1]["blocks"][0]["items"][0]["content"]["comparisons"][0]
    comparison |= {"comparisonOperator": "Greater than", "value": "March 7, 2024"}
    [date_note] = about(imported(document), "b-match")
    assert date_note.group == "Check"
    assert "ISO 8601" in date_note.message and "March 7, 2024" in date_note.message


def test_an_item_without_an_exit_ends_the_chat_as_in_typebot() -> None:
    document = typebot("dangling-item.v6.json")
    route = document["groups"][1]["blocks"]
    pro = {"type": "p", "children": [{"text": "Pro it is"}]}
    route.append({"id": "b-pro", "type": "text", "content": {"richText": [pro]}})
    flow = parse_flow(imported(document).flow)

    turn = chat(flow, "pro")[-1]
    assert said(turn) == []  # neither the next block nor the Else exit
    assert turn.ended
    assert said(chat(flow, "basic")[-1]) == ["Let us find you a plan", "Anything else?"]
