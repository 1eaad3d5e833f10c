"""Whole conversations through the engine: what the bot says, and what it tells Segment."""

from __future__ import annotations

from pathlib import Path

import pytest

from segflow.flow import ChatEndedError, ChatStatus, continue_session, load_flow
from segflow.limits import DEFAULT_LIMITS
from tests.flow.helpers import (
    LEAD_CAPTURE_OUTLINE,
    chat,
    flow_from_yaml,
    one_group,
    outline,
    said,
    sent,
)

EXAMPLE = Path(__file__).parents[2] / "examples" / "lead-capture.yaml"
VISITOR = "5b1c3c55-9e59-4b37-9a5b-0c2d1b8f9e21"


def test_the_lead_capture_example_talks_turn_by_turn() -> None:
    turns = chat(load_flow(EXAMPLE), "Ada", "ada@", "ada@example.com", "Team", "12")

    assert [said(turn) for turn in turns] == [
        ["Hi! I'm Ada, segflow's assistant. What's your name?"],
        ["Nice to meet you, Ada! What's your work email?"],
        ["This email doesn't seem to be valid. Can you type it again?"],
        ["Which plan are you interested in?"],
        ["How many people would use it?"],
        [
            "Thanks Ada! We'll write to ada@example.com soon. "
            "Meanwhile, see how Segment works (https://segment.com/docs/)."
        ],
    ]
    assert [turn.input.type if turn.input else None for turn in turns] == [
        "textInput",
        "emailInput",
        "emailInput",
        "choiceInput",
        "numberInput",
        None,
    ]
    assert turns[-1].state.status is ChatStatus.COMPLETED


def test_the_lead_capture_example_tells_segment_who_the_lead_is_and_what_happened() -> None:
    turns = chat(load_flow(EXAMPLE), "Ada", "ada@example.com", "Team", "12", anonymous_id=VISITOR)

    messages = sent(*turns)

    # Every message carries the chat's anonymous ID; after Identify User, the User ID too.
    assert {body["anonymousId"] for body in messages} == {VISITOR}
    assert outline(messages) == LEAD_CAPTURE_OUTLINE
    identify, lead = messages[3], messages[7]
    assert identify["traits"] == {"email": "ada@example.com", "name": "Ada"}
    assert lead["properties"] == {"plan": "team", "seats": 12, "newsletter": True}
    assert {body["category"] for body in messages if body["type"] == "page"} == {"Lead capture"}
    assert len({body["messageId"] for body in messages}) == len(messages)


def test_each_turn_hands_over_only_the_messages_it_produced() -> None:
    turns = chat(load_flow(EXAMPLE), "Ada", "not an email", anonymous_id=VISITOR)

    assert [[body["type"] for body in sent(turn)] for turn in turns] == [
        ["track", "page"],
        ["page"],
        [],  # asking again is no new step
    ]


def test_without_auto_tracking_only_segment_blocks_send() -> None:
    flow = one_group(
        {"id": "hi", "type": "text", "text": "Hi"},
        {"id": "track", "type": "segment", "action": "Track Event", "eventName": "Greeted"},
    )

    (turn,) = chat(flow)

    assert [body["event"] for body in sent(turn)] == ["Greeted"]


def test_prefilled_variables_are_set_before_the_first_block_and_unknown_ones_are_reported() -> None:
    flow = one_group({"id": "hi", "type": "text", "text": "Hi {{name}}"}, variables=["name"])

    (turn,) = chat(flow, prefilled={"name": "Ada", "nickname": "A"})

    assert said(turn) == ["Hi Ada"]
    assert [(log.status, log.description) for log in turn.logs] == [
        ("warning", 'Prefilled variable "nickname" is not in the flow; it is ignored')
    ]


def test_a_chat_can_start_mid_group_from_its_start() -> None:
    flow = one_group(
        {"id": "skipped", "type": "text", "text": "not said"},
        {"id": "first", "type": "text", "text": "said"},
        start={"group": "main", "block": "first"},
    )

    assert said(chat(flow)[0]) == ["said"]


def test_a_loop_that_talks_without_asking_is_stopped_with_a_clear_log() -> None:
    flow = flow_from_yaml(
        """
        name: Loop
        segment: {autoTrack: {pageViews: true}}
        groups:
          - id: a
            title: A
            blocks: [{id: to-b, type: jump, group: b}]
          - id: b
            title: B
            blocks: [{id: hello, type: text, text: again, next: a}]
        """
    )

    (turn,) = chat(flow)

    assert turn.state.status is ChatStatus.STOPPED
    assert turn.input is None
    assert len(said(turn)) == DEFAULT_LIMITS.max_messages_per_turn  # the first limit reached
    (log,) = turn.logs
    assert log.status == "error"
    assert log.description.startswith("The chat stopped: it would say more than 100 messages")
    with pytest.raises(ChatEndedError, match=r"This chat has ended \(stopped\)"):
        continue_session(flow, turn.state, "hello?")


def test_an_ended_chat_takes_no_more_answers() -> None:
    flow = one_group({"id": "bye", "type": "text", "text": "Bye"})

    (turn,) = chat(flow)

    with pytest.raises(ChatEndedError, match=r"This chat has ended \(completed\); start a new one"):
        continue_session(flow, turn.state, "wait")
