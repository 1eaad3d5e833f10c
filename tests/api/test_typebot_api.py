"""Typebot's clients chat with segflow: Typebot's startChat and continueChat bodies in, Typebot's
shapes out (bubbles with ids, rich text or markdown, Typebot's inputs), through `segflow serve`."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.api.chats import summary
from tests.serve_process import ServeProcess

EVERY_INPUT = Path(__file__).with_name("flows") / "every-input.yaml"
START = "/api/v1/typebots/every-input/startChat"
PREVIEW = "/api/v1/typebots/every-input/preview/startChat"
TOKEN = "typebot-tests-editor-token"
EDITOR = {"Authorization": f"Bearer {TOKEN}"}
# What Typebot's web embed sends (@typebot.io/js 0.10): the page's query parameters as
# prefilled variables, and keys segflow has no use for.
# The embed's own look, but in the system font: no font CDN is called.
THEME = {"general": {"font": {"type": "Custom", "family": "system-ui"}}}
EMBED_START = {"isStreamEnabled": True, "prefilledVariables": {}, "isOnlyRegistering": False}


def serve(database_url: str, home: Path) -> ServeProcess:
    return ServeProcess(
        database_url,
        home,
        args=("--flow", str(EVERY_INPUT)),
        environment={"SEGFLOW_EDITOR_TOKEN": TOKEN},
    )


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServeProcess]:
    folder = tmp_path_factory.mktemp("typebot")
    with serve(f"sqlite:///{folder / 'segflow.db'}", folder / "home") as process:
        yield process


def post(server: ServeProcess, path: str, body: Any = None, **headers: str) -> dict[str, Any]:
    response = server.api.post(path, json=body, headers=headers)
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


def reply(server: ServeProcess, session_id: str, message: Any, **body: Any) -> dict[str, Any]:
    return post(server, f"/api/v1/sessions/{session_id}/continueChat", {"message": message, **body})


def without_ids(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The bubbles without their ids, once each id is checked to be there and unique."""
    ids = [message.pop("id") for message in messages]
    assert all(isinstance(bubble_id, str) and bubble_id for bubble_id in ids)
    assert len(set(ids)) == len(ids)
    return messages


def paragraph(*children: dict[str, Any]) -> dict[str, Any]:
    return {"type": "p", "children": list(children)}


def text_bubble(*paragraphs: dict[str, Any]) -> dict[str, Any]:
    return {"type": "text", "content": {"type": "richText", "richText": list(paragraphs)}}


def test_start_chat_answers_in_typebots_shape(server: ServeProcess) -> None:
    started = post(server, START, EMBED_START)

    assert started["sessionId"] == f"typebot-{started['resultId']}"
    typebot = started["typebot"]
    assert typebot.pop("publishedAt").startswith("20")
    assert typebot == {"id": "every-input", "version": "6", "theme": THEME, "settings": {}}
    assert without_ids(started["messages"]) == [
        text_bubble(
            paragraph(
                {"text": "Hi! I'm "},
                {"text": "Ada", "bold": True},
                {"text": ", "},
                {"text": "segflow's", "italic": True},
                {"text": " bot."},
            ),
            paragraph(
                {"text": "Read "},
                {
                    "type": "a",
                    "url": "https://example.com/docs",
                    "children": [{"text": "the docs"}],
                },
                {"text": " first."},
            ),
        ),
        {
            "type": "image",
            "content": {
                "url": "https://example.com/logo.png",
                "clickLink": {"alt": "segflow's logo"},
            },
        },
    ]
    assert started["input"] == {
        "id": "ask-name",
        "type": "text input",
        "options": {
            "labels": {"placeholder": "Your first name", "button": "Next"},
            "isLong": False,
        },
    }
    assert "logs" not in started  # nothing to report


def test_text_comes_as_markdown_when_asked(server: ServeProcess) -> None:
    started = post(server, START, {"textBubbleContentFormat": "markdown"})
    assert [message["content"] for message in started["messages"][:1]] == [
        {
            "type": "markdown",
            "markdown": "Hi! I'm **Ada**, *segflow's* bot.\n"
            "Read [the docs](https://example.com/docs) first.",
        }
    ]
    chat = started["sessionId"]
    thanks = reply(server, chat, "*Bob* [x](javascript:1)", textBubbleContentFormat="markdown")
    # What the person typed is text, never formatting.
    assert [message["content"] for message in thanks["messages"]] == []
    echoed = reply(server, chat, "A story", textBubbleContentFormat="markdown")
    assert echoed["messages"][0]["content"] == {
        "type": "markdown",
        "markdown": r"Thanks **\*Bob\* \[x\](javascript:1)**!",
    }


def test_every_input_in_typebots_layout_with_both_kinds_of_answer(server: ServeProcess) -> None:
    chat = post(server, START)["sessionId"]

    story = reply(server, chat, {"type": "text", "text": "Ada"})  # the embed's answer
    assert story["messages"] == []
    assert story["input"] == {
        "id": "ask-story",
        "type": "text input",
        "options": {"labels": {"button": "Send"}, "isLong": True},
    }

    email = reply(server, chat, "Once upon a time\nthere was a bot")  # a plain string
    assert without_ids(email["messages"]) == [
        text_bubble(paragraph({"text": "Thanks "}, {"text": "Ada", "bold": True}, {"text": "!"}))
    ]
    assert email["input"] == {
        "id": "ask-email",
        "type": "email input",
        "options": {"labels": {"placeholder": "you@company.com", "button": "Send"}},
    }

    # A wrong email: the bot says why in a bubble of its own and asks again.
    retry = reply(server, chat, {"type": "text", "text": "ada at example"})
    assert without_ids(retry["messages"]) == [
        text_bubble(
            paragraph({"text": "This email doesn't seem to be valid. Can you type it again?"})
        )
    ]
    assert retry["input"]["id"] == "ask-email"

    team = reply(server, chat, {"type": "text", "text": "ada@example.com"})
    assert team["input"] == {
        "id": "ask-team",
        "type": "number input",
        "options": {
            "labels": {"placeholder": "How many?", "button": "Send"},
            "min": 1,
            "max": 50,
            "step": 1,
        },
    }

    plan = reply(server, chat, {"type": "text", "text": "12"})
    # Each button answers with its ID, which picks it whatever its label says.
    assert plan["input"] == {
        "id": "ask-plan",
        "type": "choice input",
        "options": {"isMultipleChoice": False},
        "items": [
            {"id": "free", "content": "Free", "value": "free"},
            {"id": "pro", "content": "Pro for Ada", "value": "pro"},
        ],
    }

    end = reply(server, chat, {"type": "text", "text": "pro"})
    assert without_ids(end["messages"]) == [text_bubble(paragraph({"text": "Done: pro-plan."}))]
    assert "input" not in end  # the chat has ended

    found = server.api.get(f"/api/v1/sessions/{post(server, START)['resultId']}").json()
    assert found["flowId"] == "every-input"  # the resultId is segflow's own chat ID


def test_unknown_keys_are_ignored_and_prefilled_variables_pass_through(
    server: ServeProcess,
) -> None:
    started = post(
        server,
        START,
        {
            **EMBED_START,
            "prefilledVariables": {"name": "Grace", "utm_source": "ads"},
            "message": {"type": "text", "text": "Grace"},
            "futureOption": {"anything": True},
        },
    )
    assert started["input"]["id"] == "ask-story"  # `message` answered the first input
    assert started["logs"] == [
        {
            "status": "warning",
            "description": 'Prefilled variable "utm_source" is not in the flow; it is ignored',
        }
    ]
    turn = reply(server, started["sessionId"], "A story", sessionId="x", somethingNew=[1])
    assert without_ids(turn["messages"])[0]["content"]["richText"][0]["children"][1] == {
        "text": "Grace",
        "bold": True,
    }
    variables = server.api.get(f"/api/v1/sessions/{started['resultId']}").json()["variables"]
    assert (variables["name"], variables["story"]) == ("Grace", "A story")

    registering = post(server, START, {"isOnlyRegistering": True})
    assert registering["logs"] == [
        {
            "status": "warning",
            "description": "segflow starts every chat at once: isOnlyRegistering is not supported",
        }
    ]


def test_a_result_id_is_taken_and_a_new_chat_starts(server: ServeProcess) -> None:
    first = post(server, START)
    again = post(server, START, {**EMBED_START, "resultId": first["resultId"]})
    assert again["sessionId"] != first["sessionId"]
    assert again["input"]["id"] == "ask-name"


def test_errors_say_what_is_wrong_with_typebots_statuses(server: ServeProcess) -> None:
    api = server.api
    missing = api.post("/api/v1/typebots/nope/startChat", json=EMBED_START)
    assert (missing.status_code, missing.json()) == (404, {"message": 'Flow "nope" does not exist'})

    wrong_format = api.post(START, json={"textBubbleContentFormat": "html"})
    assert wrong_format.status_code == 400
    assert wrong_format.json()["message"].startswith("textBubbleContentFormat: Input should be")

    chat = post(server, START)["sessionId"]
    for body, message in [
        (
            {"message": {"type": "audio", "url": "https://example.com/a.mp3"}},
            "message: Input should",
        ),
        (
            {"message": {"type": "text", "text": "Ada", "attachedFileUrls": ["https://x.io/a"]}},
            "message: segflow's inputs take no attached files",
        ),
        ({"message": "Ada", "textBubbleContentFormat": "html"}, "textBubbleContentFormat: "),
    ]:
        refused = api.post(f"/api/v1/sessions/{chat}/continueChat", json=body)
        assert refused.status_code == 400
        assert refused.json()["message"].startswith(message)

    unknown = api.post(
        "/api/v1/sessions/typebot-nope/continueChat",
        json={"message": {"type": "text", "text": "A"}},
    )
    assert (unknown.status_code, unknown.json()) == (
        404,
        {"message": 'Chat session "nope" does not exist'},
    )
    gone = api.post("/api/v1/sessions/typebot-preview-nope/continueChat", json={"message": "Ada"})
    assert gone.status_code == 404


def test_client_logs_are_accepted(server: ServeProcess) -> None:
    chat = post(server, START)["sessionId"]
    logs = {"clientLogs": [{"status": "error", "description": "Failed to load a script"}]}
    answer = server.api.post(f"/api/v2/sessions/{chat}/clientLogs", json=logs)
    assert answer.status_code == 200


def test_a_page_on_another_origin_may_start_a_typebot_chat(server: ServeProcess) -> None:
    origin = "https://shop.example.com"
    preflight = server.api.options(
        START,
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type,x-typebot-iframe-referrer-origin",
        },
    )
    assert (preflight.status_code, preflight.headers["access-control-allow-origin"]) == (200, "*")
    started = server.api.post(START, json=EMBED_START, headers={"Origin": origin})
    assert started.headers["access-control-allow-origin"] == "*"


def test_the_preview_runs_the_draft_behind_the_editor_token(server: ServeProcess) -> None:
    assert server.api.post(PREVIEW, json={}).status_code == 403
    refused = server.api.post(PREVIEW, json={}, headers={"Authorization": "Bearer wrong"})
    assert refused.status_code == 403
    assert refused.json()["message"].startswith("The editor needs its token")

    document = server.api.get("/editor/api/flows/every-input", headers=EDITOR).json()["draft"]
    document["groups"][0]["blocks"][0]["text"] = "A **draft** greeting"
    saved = server.api.put("/editor/api/flows/every-input/draft", json=document, headers=EDITOR)
    assert saved.status_code == 200, saved.text

    preview = post(server, PREVIEW, {**EMBED_START, "typebot": {"id": "ignored"}}, **EDITOR)
    assert preview["sessionId"].startswith("typebot-preview-")
    assert "resultId" not in preview
    assert preview["typebot"] == {
        "id": "every-input",
        "version": "6",
        "theme": THEME,
        "settings": {},
    }
    assert without_ids(preview["messages"])[0] == text_bubble(
        paragraph({"text": "A "}, {"text": "draft", "bold": True}, {"text": " greeting"})
    )
    turn = reply(server, preview["sessionId"], {"type": "text", "text": "Ada"})
    assert turn["input"]["id"] == "ask-story"

    published = post(server, START)  # the public chat still runs the published version
    assert published["messages"][0]["content"]["richText"][0]["children"][1]["text"] == "Ada"


def test_native_chats_keep_their_own_shape_and_strictness(server: ServeProcess) -> None:
    started = post(server, "/api/v1/flows/every-input/startChat")
    chat = started["sessionId"]
    assert not chat.startswith("typebot-")
    turn = reply(server, chat, {"type": "text", "text": "Ada"})  # Typebot's answer is taken
    assert turn["input"] == {
        "blockId": "ask-story",
        "type": "textInput",
        "options": {"buttonLabel": "Send", "long": True},
    }
    refused = server.api.post(
        f"/api/v1/sessions/{chat}/continueChat",
        json={"message": "x", "textBubbleContentFormat": "markdown"},
    )
    assert (refused.status_code, refused.json()) == (
        400,
        {"message": "textBubbleContentFormat: Extra inputs are not permitted"},
    )


def test_a_typebot_chat_sends_its_segment_messages(database_url: str, tmp_path: Path) -> None:
    lead_capture = "/api/v1/typebots/lead-capture/startChat"
    with serve(database_url, tmp_path / "home") as server:
        chat = post(server, lead_capture, EMBED_START)["sessionId"]
        for answer in ("Ada", "ada@example.com", "free"):
            turn = reply(server, chat, {"type": "text", "text": answer})
        assert "input" not in turn
        events = server.collector.wait_for_events(8)
    user = "ada@example.com"
    assert summary(events) == [
        ("track", "Flow Started", None),
        ("page", "Welcome", None),
        ("page", "Email", None),
        ("identify", None, user),
        ("page", "Plan", user),
        ("page", "Thanks", user),
        ("track", "Lead Captured", user),
        ("track", "Flow Completed", user),
    ]
