"""The public chat API's limits (segflow.limits): each refusal says which limit and which
setting raises it; 413 for sizes, 429 with Retry-After for too many new chats."""

from __future__ import annotations

import re
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from segflow.api.limits import NewChatLimit
from tests.api.chats import START, WITH_TRIAL_SIGNUP
from tests.serve_process import ServeProcess

TOKEN = "limits-token"
EDITOR = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServeProcess]:
    """A server with the default limits (which the tests below name)."""
    folder = tmp_path_factory.mktemp("limits")
    with ServeProcess(
        f"sqlite:///{folder / 'segflow.db'}",
        folder / "home",
        args=WITH_TRIAL_SIGNUP,
        environment={"SEGFLOW_EDITOR_TOKEN": TOKEN},
    ) as process:
        yield process


def new_chat(server: ServeProcess) -> str:
    chat: str = server.api.post(START).json()["sessionId"]
    return chat


def raw_request(server: ServeProcess, head: str) -> bytes:
    """Sends the request line and headers only, and reads the whole answer (its head and
    the Content-Length bytes of its body, which may come in separate packets)."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as connection:
        connection.sendall(head.encode())
        answer = b""
        while chunk := connection.recv(4096):
            answer += chunk
            status, separator, body = answer.partition(b"\r\n\r\n")
            length = re.search(rb"(?im)^content-length: *(\d+)", status)
            if separator and (length is None or len(body) >= int(length.group(1))):
                break
        return answer


def test_a_body_declared_too_large_is_refused_before_it_is_sent(server: ServeProcess) -> None:
    answer = raw_request(
        server,
        f"POST /api/v1/sessions/{new_chat(server)}/continueChat HTTP/1.1\r\n"
        "Host: segflow\r\nContent-Type: application/json\r\nContent-Length: 104857600\r\n\r\n",
    )
    status, _, body = answer.partition(b"\r\n\r\n")
    assert status.startswith(b"HTTP/1.1 413 ")
    assert body == (
        b'{"message":"The request body is 104,857,600 bytes; the limit is 65,536 '
        b'(SEGFLOW_MAX_REQUEST_BYTES)"}'
    )


def test_a_body_streamed_without_length_is_refused_once_over_the_limit(
    server: ServeProcess,
) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"message": "'
        for _ in range(20):
            yield b"a" * 10_000
        yield b'"}'

    response = server.api.post(
        f"/api/v1/sessions/{new_chat(server)}/continueChat",
        content=chunks(),
        headers={"content-type": "application/json"},
    )
    assert "content-length" not in response.request.headers  # sent chunked
    assert (response.status_code, response.json()) == (
        413,
        {
            "message": "The request body is over 65,536 bytes; the limit is 65,536 "
            "(SEGFLOW_MAX_REQUEST_BYTES)"
        },
    )


def test_the_editor_takes_flow_files_larger_than_a_chat_request(server: ServeProcess) -> None:
    notes = "n" * 1_000_000
    flow = f"name: Long notes\nnotes: {notes}\ngroups: []\n"
    imported = server.api.post("/editor/api/flows/import", json={"text": flow}, headers=EDITOR)
    assert imported.status_code == 201, imported.text
    assert imported.json()["draft"]["notes"] == notes

    huge = server.api.post(
        "/editor/api/flows/import", json={"text": "n" * 6_000_000}, headers=EDITOR
    )
    assert (huge.status_code, huge.json()["message"]) == (
        413,
        "The request body is 6,000,011 bytes; the limit is 5,242,880 "
        "(SEGFLOW_MAX_EDITOR_REQUEST_BYTES)",
    )
    chat = server.api.post(START, json={"message": notes})
    assert chat.status_code == 413
    assert "(SEGFLOW_MAX_REQUEST_BYTES)" in chat.json()["message"]


def test_an_answer_over_the_longest_is_refused(server: ServeProcess) -> None:
    chat = new_chat(server)
    answer = f"/api/v1/sessions/{chat}/continueChat"
    too_long = server.api.post(answer, json={"message": "A" * 4_001})
    assert (too_long.status_code, too_long.json()) == (
        413,
        {
            "message": "The answer is 4,001 characters; the limit is 4,000 "
            "(SEGFLOW_MAX_ANSWER_LENGTH)"
        },
    )
    longest = server.api.post(answer, json={"message": "A" * 4_000})
    assert longest.status_code == 200, longest.text
    assert longest.json()["input"]["blockId"] == "ask-email"

    started = server.api.post(START, json={"message": "A" * 4_001})
    assert started.status_code == 413
    assert started.json()["message"].startswith("The answer is 4,001 characters")


def test_prefilled_variables_over_their_limits_are_refused(server: ServeProcess) -> None:
    many = {f"v{number}": number for number in range(101)}
    assert server.api.post(START, json={"prefilledVariables": many}).json() == {
        "message": "prefilledVariables is 101 variables; the limit is 100 (SEGFLOW_MAX_VARIABLES)"
    }
    large = {"name": "A" * 16_383}  # 16,385 bytes as JSON, with its quotes
    assert server.api.post(START, json={"prefilledVariables": large}).json() == {
        "message": "prefilledVariables.name is 16,385 bytes as JSON; the limit is 16,384 "
        "(SEGFLOW_MAX_VARIABLE_BYTES)"
    }
    fitting = {**{f"v{number}": number for number in range(99)}, "name": "A" * 16_382}
    started = server.api.post(START, json={"prefilledVariables": fitting})
    assert started.status_code == 200, started.text


@pytest.fixture
def strict_server(tmp_path: Path) -> Iterator[ServeProcess]:
    """A server whose limits are set lower, as an operator would."""
    environment = {
        "SEGFLOW_NEW_CHATS_PER_MINUTE": "3",
        "SEGFLOW_MAX_ANSWER_LENGTH": "10",
        "SEGFLOW_MAX_REQUEST_BYTES": "1000",
    }
    with ServeProcess(
        f"sqlite:///{tmp_path / 'segflow.db'}",
        tmp_path / "home",
        args=WITH_TRIAL_SIGNUP,
        environment=environment,
    ) as process:
        yield process


def test_a_client_starting_too_many_chats_is_told_when_to_retry(
    strict_server: ServeProcess,
) -> None:
    api = strict_server.api
    chats = [api.post(START) for _ in range(3)]
    assert [chat.status_code for chat in chats] == [200, 200, 200]

    refused = api.post(START, headers={"Origin": "https://shop.example"})
    assert refused.status_code == 429
    # A chat on a web page may read when to retry.
    assert refused.headers["access-control-allow-origin"] == "*"
    assert refused.headers["access-control-expose-headers"] == "Retry-After"
    retry_after = int(refused.headers["retry-after"])
    assert 1 <= retry_after <= 20  # one new chat every 60/3 seconds
    assert refused.json() == {
        "message": "Too many new chats from your address: the limit is 3 a minute "
        f"(SEGFLOW_NEW_CHATS_PER_MINUTE); try again in {retry_after} s"
    }
    # Chats already started go on; another client (here behind a proxy on this host, which
    # uvicorn trusts by default) starts its own.
    first = chats[0].json()["sessionId"]
    answered = api.post(f"/api/v1/sessions/{first}/continueChat", json={"message": "Ada"})
    assert answered.status_code == 200, answered.text
    other = api.post(START, headers={"X-Forwarded-For": "203.0.113.7"})
    assert other.status_code == 200, other.text


def test_the_limits_follow_their_settings(strict_server: ServeProcess) -> None:
    chat = strict_server.api.post(START).json()["sessionId"]
    answer = f"/api/v1/sessions/{chat}/continueChat"
    assert strict_server.api.post(answer, json={"message": "Ada Lovelace"}).json() == {
        "message": "The answer is 12 characters; the limit is 10 (SEGFLOW_MAX_ANSWER_LENGTH)"
    }
    assert strict_server.api.post(answer, json={"message": "Ada" + " " * 2000}).json() == {
        "message": "The request body is 2,017 bytes; the limit is 1,000 (SEGFLOW_MAX_REQUEST_BYTES)"
    }


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_new_chats_refill_one_at_a_time_and_idle_clients_are_forgotten() -> None:
    clock = Clock()
    limit = NewChatLimit(2, clock=clock)
    assert [limit.wait("198.51.100.1") for _ in range(2)] == [0, 0]
    assert limit.wait("198.51.100.1") == pytest.approx(30.0)  # one every 60/2 seconds
    clock.now += 30
    assert limit.wait("198.51.100.1") == 0
    assert limit.wait("198.51.100.2") == 0  # another client has its own
    clock.now += 60
    assert limit.wait("198.51.100.3") == 0
    assert len(limit) == 1  # idle for a minute: their buckets are full, so forgotten


def test_a_flood_of_clients_is_remembered_in_bounded_memory() -> None:
    clock = Clock()
    limit = NewChatLimit(60, clock=clock, kept_clients=1_000)
    for number in range(50_000):
        clock.now += 0.0001  # 50,000 addresses within 5 seconds
        limit.wait(f"10.{number // 65536}.{number // 256 % 256}.{number % 256}")
    assert len(limit) == 1_000


def test_zero_means_no_limit_on_new_chats() -> None:
    limit = NewChatLimit(0)
    assert {limit.wait("198.51.100.1") for _ in range(1_000)} == {0}
    assert len(limit) == 0
