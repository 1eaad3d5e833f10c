"""Turn threads: on SQLite one runs turns at a time, and a turn that waits on a web service or
runs long makes room for the next, so other chats are answered meanwhile."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from segflow import turn_queue
from segflow.api.turns import TurnRunner
from segflow.turn_queue import step_aside
from tests.serve_process import ServeProcess
from tests.web_server import WebServer

WAIT = 10.0  # seconds any step below may take before the test fails


def _run_two(first: Callable[[], str], second: Callable[[], str]) -> list[str]:
    """Runs `first`, then `second`, on a runner of 3 threads, 1 at once; their results."""

    async def both() -> list[str]:
        runner = TurnRunner(3, at_once=1)
        running_first = asyncio.ensure_future(runner(first))
        await asyncio.sleep(0.05)
        second_result = await asyncio.wait_for(runner(second), WAIT)
        return [await asyncio.wait_for(running_first, WAIT), second_result]

    return asyncio.run(both())


def _waiting_for(release: threading.Event, *, stepping_aside: bool = False) -> Callable[[], str]:
    def work() -> str:
        if stepping_aside:
            step_aside()
        assert release.wait(WAIT), "the other turn never ran"
        return "released"

    return work


def _releasing(release: threading.Event, alongside: list[bool]) -> Callable[[], str]:
    def work() -> str:
        alongside.append(not release.is_set())
        release.set()
        return "second"

    return work


def test_the_next_turn_waits_for_one_that_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(turn_queue, "OVERDUE", 60.0)
    release = threading.Event()
    alongside: list[bool] = []
    threading.Timer(0.5, release.set).start()

    results = _run_two(_waiting_for(release), _releasing(release, alongside))

    assert results == ["released", "second"]
    assert alongside == [False]  # it ran once the first turn was done


def test_a_turn_that_steps_aside_lets_the_next_run_meanwhile(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(turn_queue, "OVERDUE", 60.0)
    release = threading.Event()
    alongside: list[bool] = []

    results = _run_two(_waiting_for(release, stepping_aside=True), _releasing(release, alongside))

    assert results == ["released", "second"]
    assert alongside == [True]


def test_a_turn_that_runs_long_lets_the_next_run_beside_it() -> None:
    release = threading.Event()
    alongside: list[bool] = []

    results = _run_two(_waiting_for(release), _releasing(release, alongside))

    assert results == ["released", "second"]
    assert alongside == [True]


SLOW_FLOW = """\
name: Slow lookup
variables: [{name: city}]
groups:
  - id: ask
    title: Ask
    blocks:
      - {id: ask-city, type: textInput, variable: city, next: look-up}
  - id: look-up
    title: Look up
    blocks:
      - {id: call, type: httpRequest, url: "{slow}", timeout: 30}
      - {id: done, type: text, text: "Looked up {{city}}"}
"""


def test_a_chat_waiting_on_a_slow_web_service_holds_up_no_other_chat(tmp_path: Path) -> None:
    with WebServer() as service:
        flow = tmp_path / "slow-lookup.yaml"
        flow.write_text(SLOW_FLOW.replace("{slow}", service.url("/slow?seconds=4")))
        environment = {"SEGFLOW_HTTP_ALLOWED_HOSTS": "127.0.0.1"}
        database_url = f"sqlite:///{tmp_path / 'segflow.db'}"
        with ServeProcess(
            database_url, tmp_path / "home", args=("--flow", str(flow)), environment=environment
        ) as server:
            slow = server.api.post("/api/v1/flows/slow-lookup/startChat").json()
            waiting: dict[str, httpx.Response] = {}

            def answer_slow_chat() -> None:
                with httpx.Client(base_url=server.url, timeout=30) as http:
                    path = f"/api/v1/sessions/{slow['sessionId']}/continueChat"
                    waiting["answer"] = http.post(path, json={"message": "Lyon"})

            slow_answer = threading.Thread(target=answer_slow_chat)
            slow_answer.start()
            while not service.requests:  # the slow chat's turn now waits on the service
                time.sleep(0.02)
            for _ in range(3):  # other chats, meanwhile
                other = server.api.post("/api/v1/flows/lead-capture/startChat").json()
                path = f"/api/v1/sessions/{other['sessionId']}/continueChat"
                assert server.api.post(path, json={"message": "Ada"}).status_code == 200
            still_waiting = "answer" not in waiting
            slow_answer.join(WAIT)

    assert still_waiting  # the others were answered while the slow turn was still waiting
    texts = [message["content"]["text"] for message in waiting["answer"].json()["messages"]]
    assert texts == ["Looked up Lyon"]
