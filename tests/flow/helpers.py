"""Writing flows as their builders do (YAML), and chatting with them through the engine."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from typing import Any

import yaml

from segflow.blocks import ImageMessage, TextMessage
from segflow.chat import ChatTurn
from segflow.flow import Flow, Turn, continue_session, parse_flow, start_session


def flow_from_yaml(text: str) -> Flow:
    return parse_flow(yaml.safe_load(textwrap.dedent(text)))


def one_group(*blocks: dict[str, Any], variables: Sequence[str] = (), **document: Any) -> Flow:
    """A flow of one group holding `blocks`, with the variables named."""
    return parse_flow(
        {
            "name": "Test",
            "variables": [{"name": name} for name in variables],
            "groups": [{"id": "main", "title": "Main", "blocks": list(blocks)}],
            **document,
        }
    )


def chat(flow: Flow, *answers: str, **start: Any) -> list[Turn]:
    """Every turn of a chat that gives `answers` one after the other."""
    turns = [start_session(flow, **start)]
    for answer in answers:
        turns.append(continue_session(flow, turns[-1].state, answer))
    return turns


def said(turn: Turn | ChatTurn) -> list[str]:
    """What the bot said in a turn, as plain text (an image as `[image: alt] url`)."""
    lines = []
    for message in turn.messages:
        if isinstance(message, TextMessage):
            lines.append(message.text)
        elif isinstance(message, ImageMessage):
            lines.append(f"[image: {message.alt}] {message.url}")
    return lines


def sent(*turns: Turn) -> list[dict[str, Any]]:
    """The Segment messages the turns queued, as their JSON bodies, in order."""
    return [queued.message.body() for turn in turns for queued in turn.segment]


# The example flow's messages, answered Ada, ada@example.com, Enterprise, 250:
# (type, event or page name, userId), in the order Segment receives them.
LEAD_CAPTURE_OUTLINE = [
    ("track", "Flow Started", None),
    ("page", "Welcome", None),
    ("page", "Email", None),
    ("identify", None, "ada@example.com"),
    ("page", "Plan", "ada@example.com"),
    ("page", "Seats", "ada@example.com"),
    ("page", "Thanks", "ada@example.com"),
    ("track", "Lead Captured", "ada@example.com"),
    ("track", "Flow Completed", "ada@example.com"),
]


def outline(messages: list[dict[str, Any]]) -> list[tuple[str, str | None, str | None]]:
    """Each Segment message as (type, event or name, userId)."""
    return [
        (body["type"], body.get("event") or body.get("name"), body.get("userId"))
        for body in messages
    ]
