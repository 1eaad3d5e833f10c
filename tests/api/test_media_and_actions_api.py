"""An A/B test, video, audio and embed bubbles, and the Wait and Redirect actions, through the
chat API: in segflow's shape and in Typebot's (bubbles, and `clientSideActions` after the
bubble they follow), through `segflow serve` on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.serve_process import ServeProcess

FLOW = Path(__file__).with_name("flows") / "media-and-actions.yaml"


def post(server: ServeProcess, path: str, body: Any = None) -> dict[str, Any]:
    response = server.api.post(path, json=body)
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


def test_media_and_actions_in_both_shapes(database_url: str, tmp_path: Path) -> None:
    with ServeProcess(database_url, tmp_path / "home", args=("--flow", str(FLOW))) as server:
        own = post(server, "/api/v1/flows/media-and-actions/startChat")
        turn = post(server, f"/api/v1/sessions/{own['sessionId']}/continueChat", {"message": "ada"})

        # The A/B test sends every chat (100%) down path A, to "show".
        assert turn["messages"] == [
            {"type": "wait", "content": {"seconds": 1.0}},
            {
                "type": "text",
                "content": {"text": "Watch this, ada", "html": "Watch this, ada"},
            },
            {"type": "video", "content": {"url": "https://media.example.org/ada.mp4"}},
            {"type": "audio", "content": {"url": "https://media.example.org/jingle.mp3"}},
            {"type": "wait", "content": {"seconds": 2.5}},
            {"type": "embed", "content": {"url": "https://forms.example.org/f", "height": 300}},
            {
                "type": "redirect",
                "content": {"url": "https://example.org/thanks?who=ada", "newTab": True},
            },
        ]
        assert (turn["status"], turn["input"], turn["logs"]) == ("completed", None, [])

        typebot = post(server, "/api/v1/typebots/media-and-actions/startChat", {})
        answer = post(
            server,
            f"/api/v1/sessions/{typebot['sessionId']}/continueChat",
            {"message": {"type": "text", "text": "ada"}},
        )

        bubbles = answer["messages"]
        ids = [bubble.pop("id") for bubble in bubbles]
        assert bubbles == [
            {
                "type": "text",
                "content": {
                    "type": "richText",
                    "richText": [{"type": "p", "children": [{"text": "Watch this, ada"}]}],
                },
            },
            {
                "type": "video",
                "content": {"url": "https://media.example.org/ada.mp4", "type": "url"},
            },
            {"type": "audio", "content": {"url": "https://media.example.org/jingle.mp3"}},
            {"type": "embed", "content": {"url": "https://forms.example.org/f", "height": 300}},
        ]
        # Each action comes after the bubble shown before it; the first, before any bubble.
        assert answer["clientSideActions"] == [
            {"type": "wait", "wait": {"secondsToWaitFor": 1.0}},
            {"type": "wait", "lastBubbleBlockId": ids[2], "wait": {"secondsToWaitFor": 2.5}},
            {
                "type": "redirect",
                "lastBubbleBlockId": ids[3],
                "redirect": {"url": "https://example.org/thanks?who=ada", "isNewTab": True},
            },
        ]
        assert "input" not in answer and "logs" not in answer
