"""URL, phone number and date inputs through `segflow serve`: segflow's chat API shows what a
client needs to ask for them; the Typebot-compatible API names them as Typebot does, so
Typebot's embed draws its own URL, phone and date controls."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.serve_process import ServeProcess

FLOW = Path(__file__).with_name("flows") / "checked-inputs.yaml"


@pytest.fixture
def server(tmp_path: Path, database_url: str) -> Iterator[ServeProcess]:
    with ServeProcess(database_url, tmp_path / "home", args=("--flow", str(FLOW))) as process:
        yield process


def post(server: ServeProcess, path: str, body: Any = None) -> dict[str, Any]:
    response = server.api.post(path, json=body)
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


def said(answer: dict[str, Any]) -> list[str]:
    return [message["content"]["text"] for message in answer["messages"]]


def test_segflows_api_shows_the_inputs_and_keeps_checked_answers(server: ServeProcess) -> None:
    start = post(server, "/api/v1/flows/checked-inputs/startChat")
    chat = f"/api/v1/sessions/{start['sessionId']}/continueChat"
    assert start["input"] == {
        "blockId": "ask-site",
        "type": "urlInput",
        "options": {"placeholder": "Your website", "buttonLabel": "Send"},
    }

    assert said(post(server, chat, {"message": "my site"})) == [
        "This URL doesn't seem to be valid. Can you type it again?"
    ]
    phone = post(server, chat, {"message": "www.example.com"})
    assert phone["input"] == {
        "blockId": "ask-phone",
        "type": "phoneInput",
        "options": {"buttonLabel": "Call me"},  # the retry message is the flow's own
    }
    assert said(post(server, chat, {"message": "12"})) == ["That is no phone number."]
    day = post(server, chat, {"message": "+1 (555) 010-0100"})
    assert day["input"] == {
        "blockId": "ask-day",
        "type": "dateInput",
        "options": {
            "buttonLabel": "Send",
            "hasTime": True,
            "min": "2026-01-01",
            "max": "2026-12-31",
        },
    }
    assert said(post(server, chat, {"message": "2025-12-31T10:00"})) == [
        "Please enter a date between 2026-01-01 and 2026-12-31."
    ]
    rate = post(server, chat, {"message": "2026-07-14T18:30"})
    assert rate["input"] == {
        "blockId": "rate",
        "type": "ratingInput",
        "options": {
            "buttonLabel": "Send",
            "lowest": 0,
            "highest": 10,
            "lowLabel": "Not likely",
            "highLabel": "Very likely",
        },
    }
    assert said(post(server, chat, {"message": "11"})) == ["Please pick a rating from 0 to 10."]
    pick = post(server, chat, {"message": "0"})
    assert pick["input"]["options"] == {
        "multiple": True,
        "items": [{"id": "t-price", "label": "Price"}, {"id": "t-setup", "label": "Setup"}],
    }
    colour = post(server, chat, {"message": "t-setup, t-price"})
    assert colour["input"]["options"] == {
        "items": [
            {"id": "c-red", "label": "Red", "picture": "https://example.com/red.png"},
            {"id": "c-blue", "label": "Blue", "picture": "https://example.com/blue.png"},
        ]
    }
    end = post(server, chat, {"message": "c-blue"})

    assert said(end) == [
        "https://www.example.com, +15550100100, 14/07/2026 18:30, 0, price, Setup, blue"
    ]
    assert end["status"] == "completed"
    variables = server.api.get(f"/api/v1/sessions/{start['sessionId']}").json()["variables"]
    assert variables == {
        "site": "https://www.example.com",
        "phone": "+15550100100",
        "day": "14/07/2026 18:30",
        "score": 0,
        "topics": "price, Setup",
        "colour": "blue",
    }


def test_typebots_api_names_the_inputs_as_typebot_does(server: ServeProcess) -> None:
    start = post(server, "/api/v1/typebots/checked-inputs/startChat")
    chat = f"/api/v1/sessions/{start['sessionId']}/continueChat"
    assert start["input"] == {
        "id": "ask-site",
        "type": "url input",
        "options": {"labels": {"placeholder": "Your website", "button": "Send"}},
    }

    phone = post(server, chat, {"message": {"type": "text", "text": "https://example.com"}})
    assert phone["input"] == {
        "id": "ask-phone",
        "type": "phone number input",
        "options": {"labels": {"button": "Call me"}},
    }
    retry = post(server, chat, {"message": {"type": "text", "text": "no"}})
    assert retry["input"]["id"] == "ask-phone"
    assert retry["messages"][0]["content"]["richText"] == [
        {"type": "p", "children": [{"text": "That is no phone number."}]}
    ]
    day = post(server, chat, {"message": {"type": "text", "text": "+33612345678"}})
    assert day["input"] == {
        "id": "ask-day",
        "type": "date input",
        "options": {
            "labels": {"button": "Send"},
            "hasTime": True,
            "min": "2026-01-01",
            "max": "2026-12-31",
        },
    }
    rate = post(server, chat, {"message": {"type": "text", "text": "2026-03-01T09:05"}})
    assert rate["input"] == {
        "id": "rate",
        "type": "rating input",
        "options": {
            "labels": {"button": "Send", "left": "Not likely", "right": "Very likely"},
            "buttonType": "Numbers",
            "startsAt": 0,
            "length": 10,
        },
    }
    pick = post(server, chat, {"message": {"type": "text", "text": "10"}})
    assert pick["input"] == {
        "id": "pick",
        "type": "choice input",
        "options": {"isMultipleChoice": True},
        "items": [
            {"id": "t-price", "content": "Price", "value": "t-price"},
            {"id": "t-setup", "content": "Setup", "value": "t-setup"},
        ],
    }
    # Typebot's embed sends the picked items' values joined by commas.
    colour = post(server, chat, {"message": {"type": "text", "text": "t-price, t-setup"}})
    assert colour["input"] == {
        "id": "colour",
        "type": "picture choice input",
        "options": {"isMultipleChoice": False},
        "items": [
            {
                "id": "c-red",
                "value": "c-red",
                "pictureSrc": "https://example.com/red.png",
                "title": "Red",
            },
            {
                "id": "c-blue",
                "value": "c-blue",
                "pictureSrc": "https://example.com/blue.png",
                "title": "Blue",
            },
        ],
    }
    end = post(server, chat, {"message": {"type": "text", "text": "Red"}})
    assert "input" not in end
