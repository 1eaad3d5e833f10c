"""The Segment block: messages built for the chat's visitor, identity carried across blocks,
typed values, and failures that are logged without breaking the conversation."""

from __future__ import annotations

from typing import Any

from tests.flow.helpers import chat, one_group, said, sent

ANONYMOUS = "visitor-1"


def segment(block_id: str, action: str, **fields: Any) -> dict[str, Any]:
    return {"id": block_id, "type": "segment", "action": action, **fields}


def test_messages_carry_the_sessions_anonymous_id_and_the_user_id_once_identified() -> None:
    flow = one_group(
        segment("before", "Track Event", eventName="Chat Opened"),
        segment("identify", "Identify User", userId="{{email}}", email="{{email}}"),
        segment("after", "Track Event", eventName="Lead Captured"),
        segment("page", "Page View", name="Pricing"),
        segment("screen", "Screen", name="Home"),
        segment("group", "Group", groupId="acme"),
        segment("explicit", "Track Event", eventName="Ordered", userId="u-42"),
        variables=["email"],
    )

    (turn,) = chat(flow, anonymous_id=ANONYMOUS, prefilled={"email": "ada@example.com"})

    who = [(body["type"], body.get("userId"), body["anonymousId"]) for body in sent(turn)]
    assert who == [
        ("track", None, ANONYMOUS),  # no User ID yet: the anonymous ID alone
        ("identify", "ada@example.com", ANONYMOUS),
        ("track", "ada@example.com", ANONYMOUS),  # remembered
        ("page", "ada@example.com", ANONYMOUS),
        ("screen", "ada@example.com", ANONYMOUS),
        ("group", "ada@example.com", ANONYMOUS),
        ("track", "u-42", ANONYMOUS),  # the block's own User ID wins
    ]
    assert turn.state.user_id == "ada@example.com"


def test_an_alias_joins_the_anonymous_visitor_to_the_new_user_id() -> None:
    flow = one_group(
        segment("alias", "Alias", userId="user-{{id}}"),
        segment("track", "Track Event", eventName="Signed Up"),
        variables=["id"],
    )

    (turn,) = chat(flow, anonymous_id=ANONYMOUS, prefilled={"id": "7"})

    alias, track = sent(turn)
    assert (alias["previousId"], alias["userId"]) == (ANONYMOUS, "user-7")
    assert track["userId"] == "user-7"


def test_traits_and_properties_are_sent_with_their_types() -> None:
    flow = one_group(
        segment(
            "track",
            "Track Event",
            eventName="{{event}}",
            properties=[
                {"key": "plan", "value": "{{plan}}"},
                {"key": "seats", "value": "{{seats}}", "type": "number"},
                {"key": "trial", "value": "yes", "type": "boolean"},
                {"key": "tags", "value": "{{tags}}", "type": "variable"},
                {"key": "address.city", "value": "Oslo"},
                {"key": "extra", "value": '{"a": [1, 2]}', "type": "json"},
            ],
        ),
        variables=["event", "plan", "seats", "tags"],
    )

    (turn,) = chat(
        flow, prefilled={"event": "Lead Captured", "plan": "pro", "seats": "12", "tags": ["a", "b"]}
    )

    (track,) = sent(turn)
    assert track["event"] == "Lead Captured"
    assert track["properties"] == {
        "plan": "pro",
        "seats": 12,
        "trial": True,
        "tags": ["a", "b"],
        "address": {"city": "Oslo"},
        "extra": {"a": [1, 2]},
    }


def test_a_segment_block_that_fails_is_logged_with_its_field_and_the_chat_goes_on() -> None:
    flow = one_group(
        segment("identify", "Identify User", userId="{{email}}", email="{{email}}"),
        segment(
            "seats",
            "Track Event",
            eventName="Sized",
            # Known only once the chat fills it in: written out, segflow validate refuses it.
            properties=[{"key": "n", "value": "{{email}}many", "type": "number"}],
        ),
        segment(
            "huge",
            "Track Event",
            eventName="Big",
            properties=[{"key": "blob", "value": "x" * 40_000}],
        ),
        {"id": "still-here", "type": "text", "text": "Still here"},
        {"id": "ask", "type": "textInput", "variable": "email"},
        variables=["email"],
    )

    (turn,) = chat(flow)

    assert said(turn) == ["Still here"]
    assert turn.input is not None  # the chat waits for the next answer as usual
    assert sent(turn) == []
    assert turn.state.user_id is None  # a failed Identify User identifies nobody
    assert [(log.status, log.group, log.block, log.field) for log in turn.logs] == [
        ("error", "Main", "identify", "User ID"),
        ("error", "Main", "seats", "Properties"),
        ("error", "Main", "huge", "the message"),
    ]
    assert [log.description for log in turn.logs] == [
        'Identify User: User ID is empty after filling in "{{email}}"; nothing was sent',
        'Track Event: Properties "n" is not a number: "many" (filled in from "{{email}}many"); '
        "nothing was sent",
        "Track Event: the message is 39.4 KB; Segment accepts at most 32 KB per message; "
        "nothing was sent",
    ]


def test_messages_go_to_the_blocks_account_else_the_flows() -> None:
    flow = one_group(
        segment("default", "Track Event", eventName="A"),
        segment("own", "Track Event", eventName="B", destination="staging"),
        segment={"destination": "production"},
    )

    (turn,) = chat(flow)

    assert [queued.destination for queued in turn.segment] == ["production", "staging"]
