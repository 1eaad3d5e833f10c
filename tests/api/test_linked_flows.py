"""A flow that links to another published flow, chatted over the HTTP API of `segflow serve`:
the linked flow's question is answered in a later request, and its Segment messages carry the
chat's anonymousId."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.api.chats import answer, session, texts
from tests.serve_process import ServeProcess

FLOWS = Path(__file__).with_name("flows")


@pytest.fixture
def linked_server(database_url: str, tmp_path: Path) -> Iterator[ServeProcess]:
    flows = ("--flow", str(FLOWS / "checkout.yaml"), "--flow", str(FLOWS / "sizes.yaml"))
    with ServeProcess(database_url, tmp_path / "home", args=flows) as process:
        yield process


def test_the_linked_flows_question_is_answered_over_http(linked_server: ServeProcess) -> None:
    response = linked_server.api.post("/api/v1/flows/checkout/startChat")
    assert response.status_code == 200, response.text
    chat = response.json()
    session_id, anonymous_id = chat["sessionId"], chat["anonymousId"]

    inside = answer(linked_server, session_id, "Ada")
    assert texts(inside) == ["Which size, Ada?"]
    assert session(linked_server, session_id)["input"] == inside["input"]
    assert inside["input"]["blockId"] == "ask-size"

    back = answer(linked_server, session_id, "M")
    assert texts(back) == ["Ada: size M, total 15"]
    assert back["status"] == "completed"

    events = linked_server.collector.wait_for_events(2)
    payloads = [event["payload"] for event in events]
    assert [(p["type"], p.get("name") or p.get("event")) for p in payloads] == [
        ("page", "Pick a size"),
        ("track", "Size Picked"),
    ]
    assert {payload["anonymousId"] for payload in payloads} == {anonymous_id}
    assert payloads[0]["category"] == "Sizes"
