"""Flows and accounts made through the editor API, and its Events stream read as a browser
reads it."""

from __future__ import annotations

import time
from typing import Any

import httpx
import orjson

from tests.editor.harness import EditorServer


def add_account(editor: EditorServer, name: str, url: str, write_key: str) -> dict[str, Any]:
    answer = editor.api.post(
        "/destinations",
        json={"name": name, "writeKey": write_key, "region": "custom", "endpoint": url},
    )
    answer.raise_for_status()
    account: dict[str, Any] = answer.json()
    return account


def saved_flow(editor: EditorServer, name: str, *blocks: dict[str, Any], **document: Any) -> str:
    """A new flow of one group holding `blocks`, saved as its draft; its ID."""
    flow = editor.api.post("/flows", json={"name": name}).json()
    draft = flow["draft"] | document
    draft["groups"][0]["blocks"] = list(blocks)
    editor.api.put(f"/flows/{flow['id']}/draft", json=draft).raise_for_status()
    flow_id: str = flow["id"]
    return flow_id


def stream_until(
    editor: EditorServer, session_id: str, state: str, *, timeout: float = 15.0
) -> list[dict[str, Any]]:
    """Reads the preview's Events stream until every message it lists is in `state`."""
    deadline = time.monotonic() + timeout
    url = f"/preview/{session_id}/events"
    while time.monotonic() < deadline:
        with editor.api.stream("GET", url, timeout=timeout) as answer:
            assert answer.headers["content-type"].startswith("text/event-stream")
            event = ""
            for line in answer.iter_lines():
                if line.startswith("event: "):
                    event = line.removeprefix("event: ")
                elif line.startswith("data: ") and event == "messages":
                    messages: list[dict[str, Any]] = orjson.loads(line.removeprefix("data: "))
                    if messages and all(message["state"] == state for message in messages):
                        return messages
                if time.monotonic() > deadline:
                    break
    raise TimeoutError(f"The preview's messages did not all become {state}")


def unauthenticated(editor: EditorServer) -> httpx.Client:
    return httpx.Client(base_url=editor.url, timeout=30.0)
