"""Whole conversations through the HTTP API of `segflow serve`, and the Segment messages they
send, exactly as the built-in collector received them."""

from __future__ import annotations

from tests.api.chats import answer, session, start, summary, texts
from tests.serve_process import ServeProcess

LIBRARY = {"name": "segflow", "version": "0.1.0"}


def test_a_signup_chat_answers_turn_by_turn_and_reaches_segment_in_order(
    server: ServeProcess,
) -> None:
    chat = start(server)
    session_id, anonymous_id = chat["sessionId"], chat["anonymousId"]
    assert chat["messages"] == [
        {
            "type": "text",
            "content": {
                "text": "Hi! What's your name?",
                "html": "Hi! What&#x27;s your <strong>name</strong>?",
            },
        }
    ]
    assert chat["input"] == {
        "blockId": "ask-name",
        "type": "textInput",
        "options": {
            "placeholder": "Your name",
            "buttonLabel": "Send",
            "long": False,
        },
    }
    assert (chat["status"], chat["logs"]) == ("active", [])

    turn = answer(server, session_id, "Ada")
    assert texts(turn) == ["Thanks Ada. Your work email?"]
    # What a client needs to ask, not the flow's internals (variable, retry message...).
    assert turn["input"] == {
        "blockId": "ask-email",
        "type": "emailInput",
        "options": {"buttonLabel": "Send"},
    }

    turn = answer(server, session_id, "ada at example")
    assert texts(turn) == ["This email doesn't seem to be valid. Can you type it again?"]
    assert turn["input"]["blockId"] == "ask-email"

    turn = answer(server, session_id, "ada@example.com")
    assert texts(turn) == []
    assert (turn["input"]["type"], turn["input"]["options"]) == (
        "choiceInput",
        {"items": [{"id": "free", "label": "Free"}, {"id": "pro", "label": "Pro"}]},
    )

    turn = answer(server, session_id, "Pro")
    assert (turn["messages"], turn["input"]["type"]) == ([], "numberInput")
    assert turn["input"]["options"] == {"buttonLabel": "Send", "min": 1}

    turn = answer(server, session_id, "3")
    assert texts(turn) == ["All set, Ada!"]
    assert (turn["input"], turn["status"], turn["logs"]) == (None, "completed", [])

    found = session(server, session_id)
    assert {key: found[key] for key in ("flowId", "flowVersion", "status", "input")} == {
        "flowId": "trial-signup",
        "flowVersion": 1,
        "status": "completed",
        "input": None,
    }
    assert found["variables"] == {
        "name": "Ada",
        "email": "ada@example.com",
        "plan": "pro",
        "seats": 3,
    }
    assert (found["anonymousId"], found["userId"]) == (anonymous_id, "ada@example.com")

    events = server.collector.wait_for_events(9)
    user = "ada@example.com"
    assert summary(events) == [
        ("track", "Flow Started", None),
        ("page", "Hello", None),
        ("page", "Email", None),
        ("identify", None, user),
        ("page", "Plan", user),
        ("page", "Seats", user),
        ("page", "Done", user),
        ("track", "Trial Started", user),
        ("track", "Flow Completed", user),
    ]
    payloads = [event["payload"] for event in events]
    assert {payload["anonymousId"] for payload in payloads} == {anonymous_id}
    assert all(payload["context"]["library"] == LIBRARY for payload in payloads)
    assert len({payload["messageId"] for payload in payloads}) == len(payloads)
    assert [payload.get("category") for payload in payloads if payload["type"] == "page"] == [
        "Trial signup"
    ] * 5
    assert payloads[0]["properties"] == payloads[8]["properties"] == {"flow": "Trial signup"}
    assert payloads[3]["traits"] == {"email": user, "name": "Ada"}
    properties = payloads[7]["properties"]
    assert properties == {
        "plan": "pro",
        "seats": 3,
        "newsletter": True,
        "channels": ["chat", "email"],
    }
    assert type(properties["seats"]) is int and type(properties["newsletter"]) is bool


def test_a_chat_starts_with_prefilled_variables_a_first_answer_and_the_visitors_id(
    server: ServeProcess,
) -> None:
    chat = start(
        server,
        prefilledVariables={"plan": "pro", "team": "R&D"},
        message="Grace",
        anonymousId="visitor-42",
    )
    assert chat["anonymousId"] == "visitor-42"
    assert texts(chat) == ["Hi! What's your name?", "Thanks Grace. Your work email?"]
    assert chat["input"]["blockId"] == "ask-email"
    assert chat["logs"] == [
        {
            "status": "warning",
            "description": 'Prefilled variable "team" is not in the flow; it is ignored',
            "flow": None,
            "group": None,
            "block": None,
            "field": None,
        }
    ]
    variables = session(server, chat["sessionId"])["variables"]
    assert variables == {"name": "Grace", "email": None, "plan": "pro", "seats": 1}

    events = server.collector.wait_for_events(3)
    assert summary(events) == [
        ("track", "Flow Started", None),
        ("page", "Hello", None),
        ("page", "Email", None),
    ]
    assert {event["payload"]["anonymousId"] for event in events} == {"visitor-42"}
