"""Abusive flows against a real `segflow serve`: a regular expression that backtracks, a number
squared in a jump loop, text that doubles in a loop. Each turn stops with a log line naming
the limit; while it runs, another visitor's chat on the example flow keeps answering; and the
stopped chat can still be read."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.serve_process import ServeProcess

REGEX_TRAP = """
name: Regex trap
variables: [{name: answer}]
groups:
  - id: ask
    title: Ask
    blocks:
      - {id: what, type: textInput, variable: answer}
      - id: check
        type: condition
        items:
          - comparisons: [{variable: answer, operator: matchesRegex, value: '^(a|a)*$'}]
      - {id: done, type: text, text: Done}
"""
SQUARES = """
name: Squares
variables: [{name: n}]
groups:
  - id: ask
    title: Ask
    blocks: [{id: what, type: numberInput, variable: n, next: loop}]
  - id: loop
    title: Loop
    blocks:
      - {id: square, type: setVariable, variable: n, expression: "n * n"}
      - {id: again, type: jump, group: loop}
"""
DOUBLING = """
name: Doubling
variables: [{name: s}]
groups:
  - id: ask
    title: Ask
    blocks: [{id: what, type: textInput, variable: s, next: loop}]
  - id: loop
    title: Loop
    blocks:
      - {id: grow, type: setVariable, variable: s, expression: "s + s"}
      - {id: again, type: jump, group: loop}
"""
# Limits that let each abusive turn run for seconds, so the other chats are seen to go on.
LONG_TURNS = {
    "SEGFLOW_REGEX_TIMEOUT": "2",
    "SEGFLOW_MAX_BLOCKS_PER_TURN": "60000",
    "SEGFLOW_NEW_CHATS_PER_MINUTE": "0",  # the other visitor starts chat after chat
}
EXAMPLE_ANSWERS = ["Ada", "ada@example.com", "Enterprise", "250"]


@pytest.fixture
def server(database_url: str, tmp_path: Path) -> Iterator[ServeProcess]:
    flows = []
    for name, document in (
        ("regex-trap", REGEX_TRAP),
        ("squares", SQUARES),
        ("doubling", DOUBLING),
    ):
        path = tmp_path / f"{name}.yaml"
        path.write_text(document)
        flows += ["--flow", str(path)]
    home = tmp_path / "home"
    with ServeProcess(database_url, home, args=flows, environment=LONG_TURNS) as process:
        yield process


class OtherVisitor:
    """Chats on the example flow, turn after turn, on its own connection, timing each turn."""

    def __init__(self, url: str) -> None:
        self.client = httpx.Client(base_url=url, timeout=30.0)
        self.durations: list[float] = []
        self.failure: Exception | None = None
        self.done = threading.Event()
        self.thread = threading.Thread(target=self.chat_until_done)

    def chat_until_done(self) -> None:
        try:
            while not self.done.is_set():
                session_id = self.turn("/api/v1/flows/lead-capture/startChat", {})["sessionId"]
                for answer in EXAMPLE_ANSWERS:
                    self.turn(f"/api/v1/sessions/{session_id}/continueChat", {"message": answer})
        except Exception as error:  # the test reports it
            self.failure = error

    def turn(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        started = time.monotonic()
        response = self.client.post(path, json=body)
        self.durations.append(time.monotonic() - started)
        response.raise_for_status()
        answer: dict[str, Any] = response.json()
        return answer

    def __enter__(self) -> OtherVisitor:
        self.thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.done.set()
        self.thread.join(timeout=60)
        self.client.close()


def abusive_turn(server: ServeProcess, flow_id: str, answer: str) -> tuple[str, dict[str, Any]]:
    """Starts a chat on the flow and answers it, while another visitor chats; the session ID
    and the abusive turn's answer."""
    started = server.api.post(f"/api/v1/flows/{flow_id}/startChat").json()
    with OtherVisitor(server.url) as other:
        time.sleep(0.3)  # the other visitor is chatting
        turn = server.api.post(
            f"/api/v1/sessions/{started['sessionId']}/continueChat", json={"message": answer}
        )
        time.sleep(0.3)
    assert turn.status_code == 200, turn.text
    assert other.failure is None, other.failure
    assert len(other.durations) >= 5
    assert max(other.durations) < 1.0, other.durations  # nobody waited on the abusive turn
    return started["sessionId"], turn.json()


def stop_log(turn: dict[str, Any]) -> dict[str, Any]:
    assert (turn["status"], turn["input"]) == ("stopped", None)
    log: dict[str, Any] = turn["logs"][-1]
    assert log["status"] == "error"
    return log


def test_a_regular_expression_that_backtracks_stops_its_turn_alone(server: ServeProcess) -> None:
    started = time.monotonic()
    session_id, turn = abusive_turn(server, "regex-trap", "a" * 28 + "!")

    assert time.monotonic() - started < 30  # not the minutes the pattern would take
    log = stop_log(turn)
    assert (log["group"], log["block"]) == ("Ask", "check")
    assert log["description"] == (
        'The chat stopped: the regular expression "^(a|a)*$" ran out of time on a text of 29 '
        "characters (it backtracks: see `segflow validate`); the limit is 2 seconds "
        "(SEGFLOW_REGEX_TIMEOUT)"
    )
    printed = " ".join(server.output().split())  # as the server logged it, lines unwrapped
    assert 'Group "Ask" › block "check": The chat stopped: the regular expression' in printed
    read = server.api.get(f"/api/v1/sessions/{session_id}").json()
    assert (read["status"], read["variables"]) == ("stopped", {"answer": "a" * 28 + "!"})


def test_a_number_squared_in_a_jump_loop_stops_its_turn_alone(server: ServeProcess) -> None:
    session_id, turn = abusive_turn(server, "squares", "3")

    assert [(log["block"], log["description"]) for log in turn["logs"]] == [
        ("square", "Expression 'n * n': the result is too large; n is left unchanged"),
        (
            "square",
            "The chat stopped: it ran 60,000 blocks without asking anything (exits or jumps "
            "loop back without an input; the loop passes through here); the limit is 60,000 "
            "(SEGFLOW_MAX_BLOCKS_PER_TURN)",
        ),
    ]
    read = server.api.get(f"/api/v1/sessions/{session_id}").json()
    assert read["status"] == "stopped"
    assert read["variables"]["n"] == pytest.approx(3.0**512)  # the last square that fits


def test_text_that_doubles_in_a_loop_stops_its_turn_alone(server: ServeProcess) -> None:
    session_id, turn = abusive_turn(server, "doubling", "abc")

    log = stop_log(turn)
    assert (log["group"], log["block"]) == ("Loop", "grow")
    assert log["description"] == (
        'The chat stopped: Set variable would make "s" a text of 24,576 bytes; the limit is '
        "16,384 (SEGFLOW_MAX_VARIABLE_BYTES)"
    )
    read = server.api.get(f"/api/v1/sessions/{session_id}").json()
    assert read["status"] == "stopped"
    assert read["variables"]["s"] == "abc" * 4_096  # the last value that fitted
    again = server.api.post(f"/api/v1/sessions/{session_id}/continueChat", json={"message": "x"})
    assert again.status_code == 409  # the chat is over; a new one starts afresh
    fresh = server.api.post("/api/v1/flows/doubling/startChat", json={"message": "hi"}).json()
    assert fresh["status"] == "stopped"
    assert fresh["logs"][-1]["description"].endswith("(SEGFLOW_MAX_VARIABLE_BYTES)")
