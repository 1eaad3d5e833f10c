"""What the chat API answers to requests it cannot serve: a status and a message that says why."""

from __future__ import annotations

import pytest

from tests.api.chats import START
from tests.serve_process import ServeProcess


def session_id(server: ServeProcess) -> str:
    session: str = server.api.post(START).json()["sessionId"]
    return session


def test_an_unknown_flow_or_session_is_not_found(shared_server: ServeProcess) -> None:
    api = shared_server.api
    for response, message in [
        (api.post("/api/v1/flows/nope/startChat"), 'Flow "nope" does not exist'),
        (
            api.post("/api/v1/sessions/nope/continueChat", json={"message": "hi"}),
            'Chat session "nope" does not exist',
        ),
        (api.get("/api/v1/sessions/nope"), 'Chat session "nope" does not exist'),
        (api.get("/api/v1/flows"), "No such endpoint: GET /api/v1/flows; see /docs"),
    ]:
        assert (response.status_code, response.json()) == (404, {"message": message})


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (None, "The request body is required"),
        ({}, "message: Field required"),
        ({"message": 42}, "message: Input should be a valid string"),
        ({"text": "Ada"}, "message: Field required"),
        ({"message": "Ada", "text": "Ada"}, "text: Extra inputs are not permitted"),
        (
            {"message": {"type": "audio", "url": "https://example.com/a.mp3"}},
            'message: Input should be a string, or an object {"type": "text", "text": "…"}',
        ),
        (
            ["Ada"],
            "The request body must be a JSON object (Content-Type: application/json), "
            'e.g. {"message": "Ada"}',
        ),
    ],
)
def test_a_malformed_answer_is_refused_naming_the_field(
    shared_server: ServeProcess, body: object, message: str
) -> None:
    chat = session_id(shared_server)
    response = shared_server.api.post(f"/api/v1/sessions/{chat}/continueChat", json=body)
    assert (response.status_code, response.json()) == (400, {"message": message})
    still = shared_server.api.get(f"/api/v1/sessions/{chat}").json()
    assert (still["variables"]["name"], still["input"]["blockId"]) == (None, "ask-name")


def test_a_malformed_start_is_refused_naming_the_field(shared_server: ServeProcess) -> None:
    api = shared_server.api
    for response, message in [
        (
            api.post(START, json={"prefilledVariable": {"name": "Ada"}}),
            "prefilledVariable: Extra inputs are not permitted",
        ),
        (
            api.post(START, json={"prefilledVariables": ["Ada"]}),
            "prefilledVariables: Input should be a valid dictionary",
        ),
        (
            api.post(START, json={"anonymousId": ""}),
            "anonymousId: String should have at least 1 character",
        ),
        (
            api.post(START, content=b'{"message": ', headers={"content-type": "application/json"}),
            "The request body is not valid JSON: Expecting value",
        ),
    ]:
        assert (response.status_code, response.json()) == (400, {"message": message})


def test_a_finished_chat_answered_again_is_a_conflict(shared_server: ServeProcess) -> None:
    started = shared_server.api.post(
        START, json={"prefilledVariables": {"plan": "free"}, "message": "Ada"}
    ).json()
    chat = started["sessionId"]
    for reply in ("ada@example.com", "Free"):
        shared_server.api.post(f"/api/v1/sessions/{chat}/continueChat", json={"message": reply})

    again = shared_server.api.post(f"/api/v1/sessions/{chat}/continueChat", json={"message": "Hi"})
    assert (again.status_code, again.json()) == (
        409,
        {"message": "This chat has ended (completed); start a new one"},
    )
    assert shared_server.api.get(f"/api/v1/sessions/{chat}").json()["status"] == "completed"


def test_the_api_is_described_at_docs_with_the_errors_it_answers(
    shared_server: ServeProcess,
) -> None:
    assert shared_server.api.get("/docs").status_code == 200
    paths = shared_server.api.get("/openapi.json").json()["paths"]
    answers = {
        path: sorted(
            answer for operation in operations.values() for answer in operation["responses"]
        )
        for path, operations in paths.items()
        if path.startswith("/api/v1/")
    }
    assert answers == {
        "/api/v1/flows/{flowId}/startChat": ["200", "400", "404", "413", "429"],
        "/api/v1/sessions/{sessionId}/continueChat": ["200", "400", "404", "409", "413"],
        "/api/v1/sessions/{sessionId}": ["200", "400", "404"],
        "/api/v1/typebots/{publicId}/startChat": ["200", "400", "404", "413", "429"],
        "/api/v1/typebots/{typebotId}/preview/startChat": ["200", "400", "403", "404", "413"],
    }


def test_a_wrong_method_is_answered_405_naming_the_one_to_use(
    shared_server: ServeProcess,
) -> None:
    response = shared_server.api.get(START)

    assert (response.status_code, response.json()) == (
        405,
        {"message": f"{START} does not take GET; use POST"},
    )
    assert response.headers["Allow"] == "POST"
