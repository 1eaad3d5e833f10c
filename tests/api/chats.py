"""Chatting through the HTTP API in tests, with the tests' own flow, and reading the result."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.serve_process import ServeProcess

# The tests' own flow, published by `serve --flow` as "trial-signup" beside the example.
TRIAL_SIGNUP = Path(__file__).with_name("flows") / "trial-signup.yaml"
WITH_TRIAL_SIGNUP = ("--flow", str(TRIAL_SIGNUP))
START = "/api/v1/flows/trial-signup/startChat"


def start(server: ServeProcess, **body: Any) -> dict[str, Any]:
    response = server.api.post(START, json=body)
    assert response.status_code == 200, response.text
    chat: dict[str, Any] = response.json()
    return chat


def answer(server: ServeProcess, session_id: str, message: str) -> dict[str, Any]:
    response = server.api.post(
        f"/api/v1/sessions/{session_id}/continueChat", json={"message": message}
    )
    assert response.status_code == 200, response.text
    turn: dict[str, Any] = response.json()
    return turn


def session(server: ServeProcess, session_id: str) -> dict[str, Any]:
    response = server.api.get(f"/api/v1/sessions/{session_id}")
    assert response.status_code == 200, response.text
    found: dict[str, Any] = response.json()
    return found


def texts(turn: dict[str, Any]) -> list[str]:
    """The text of each of the bot's messages in a turn."""
    assert all(message["type"] == "text" for message in turn["messages"])
    return [message["content"]["text"] for message in turn["messages"]]


def summary(events: list[dict[str, Any]]) -> list[tuple[str, str | None, str | None]]:
    """(type, event or page name, userId) of each collected Segment message, in order."""
    return [
        (
            event["payload"]["type"],
            event["payload"].get("event") or event["payload"].get("name"),
            event["payload"].get("userId"),
        )
        for event in events
    ]
