"""`segflow serve` as a user meets it: what it prints, which servers it runs, how it stops."""

from __future__ import annotations

import json
import os
import shlex
import signal
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

from segflow.chat import Chats
from segflow.service import Segflow
from segflow.settings import Settings
from tests.api.chats import WITH_TRIAL_SIGNUP, answer, start, summary
from tests.conftest import free_port
from tests.serve_process import ServeProcess
from tests.servers import CollectorProcess


def printed_commands(output: str) -> list[str]:
    return [line.strip() for line in output.splitlines() if line.strip().startswith("curl ")]


def run_curl(command: str) -> dict[str, Any]:
    ran = subprocess.run(shlex.split(command), capture_output=True, text=True, timeout=30)
    assert ran.returncode == 0, ran.stderr
    body: dict[str, Any] = json.loads(ran.stdout)
    return body


def nothing_listens(url: str) -> bool:
    try:
        httpx.get(url, timeout=2)
    except httpx.ConnectError:
        return True
    return False


def test_serve_prints_its_addresses_flows_and_curl_commands_that_chat(
    shared_server: ServeProcess,
) -> None:
    output = shared_server.output()
    url = shared_server.url
    assert f"Chat API   {url}/api/v1" in output
    assert f"API docs   {url}/docs" in output
    assert "Flows      lead-capture (version 1), trial-signup (version 1)" in output
    collector = shared_server.collector_url
    assert f"Events     go to the built-in collector, {collector}" in output

    start_command, answer_command = printed_commands(output)
    chat = run_curl(start_command)  # the example flow, as pasted into a terminal
    assert chat["messages"][0]["type"] == "text"
    assert chat["input"]["type"] == "textInput"
    turn = run_curl(answer_command.replace("SESSION_ID", chat["sessionId"]))
    assert (turn["status"], turn["logs"]) == ("active", [])
    assert turn["input"]["blockId"] != chat["input"]["blockId"]  # the answer moved the chat on


def test_with_a_segment_account_as_default_serve_runs_no_collector_and_sends_there(
    tmp_path: Path,
) -> None:
    with CollectorProcess(f"sqlite:///{tmp_path / 'segment.db'}") as segment:
        account = {"SEGMENT_WRITE_KEY": "write-key-of-the-source", "SEGMENT_ENDPOINT": segment.url}
        database_url = f"sqlite:///{tmp_path / 'segflow.db'}"
        server = ServeProcess(
            database_url, tmp_path / "home", args=WITH_TRIAL_SIGNUP, environment=account
        )
        with server:
            assert f"go to Segment account environment ({segment.url}, Write Key …urce)" in (
                server.output()
            )
            assert nothing_listens(f"{server.collector_url}/health")
            chat = start(server, message="Ada")

            events = segment.wait_for_events(3)
            assert [event["write_key_hint"] for event in events] == ["urce"] * 3
            assert {event["anonymous_id"] for event in events} == {chat["anonymousId"]}
            assert server.stop(signal.SIGINT) == 0  # Ctrl+C
            assert server.output().rstrip().endswith("Stopped.")


def test_without_its_collector_events_wait_in_the_outbox_and_sigterm_stops_it(
    tmp_path: Path,
) -> None:
    database_url = f"sqlite:///{tmp_path / 'segflow.db'}"
    home = tmp_path / "home"
    with ServeProcess(database_url, home, args=[*WITH_TRIAL_SIGNUP, "--no-collector"]) as server:
        expected = f"go to a collector at {server.collector_url}, run apart (--no-collector)"
        assert expected in server.output()
        assert nothing_listens(f"{server.collector_url}/health")
        answer(server, start(server)["sessionId"], "Ada")
        assert server.stop() == 0  # SIGTERM
        assert "Stopped. 3 message(s) stay queued for the next start." in server.output()

    with ServeProcess(database_url, home, args=WITH_TRIAL_SIGNUP) as again:
        assert summary(again.collector.wait_for_events(3)) == [
            ("track", "Flow Started", None),
            ("page", "Hello", None),
            ("page", "Email", None),
        ]


def serve(
    database_url: str, home: Path, *args: str, collector_url: str | None = None
) -> subprocess.CompletedProcess[str]:
    """`segflow serve` that is expected to stop at once."""
    command = [sys.executable, "-m", "segflow", "--database-url", database_url, "serve", *args]
    environment = {
        **os.environ,
        "SEGFLOW_HOME": str(home),
        "SEGFLOW_COLLECTOR_URL": collector_url or f"http://127.0.0.1:{free_port()}",
    }
    return subprocess.run(command, capture_output=True, text=True, timeout=60, env=environment)


def test_a_flow_file_with_problems_stops_serve_naming_each(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text(
        "name: Broken\ngroups:\n  - id: main\n    title: Main\n    blocks:\n"
        "      - {id: ask, type: textInput, variable: nobody, next: nowhere}\n"
    )
    database_url = f"sqlite:///{tmp_path / 'segflow.db'}"
    ran = serve(database_url, tmp_path / "home", "--flow", str(broken), "--port", str(free_port()))
    assert ran.returncode == 1
    assert ran.stderr.splitlines() == [
        f"Error: {broken} has 2 problems:",
        '- Group "Main" › block 1 (Text input): Exit goes to group "nowhere", which does not exist',
        '- Group "Main" › block 1 (Text input): the variable "nobody" (Save the answer in) '
        "is not in the flow's variables",
    ]


@pytest.mark.parametrize("which", ["API", "Collector"])
def test_a_port_in_use_stops_serve_saying_which(tmp_path: Path, which: str) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        port = taken.getsockname()[1]
        api, collector = (port, free_port()) if which == "API" else (free_port(), port)
        ran = serve(
            f"sqlite:///{tmp_path / 'segflow.db'}",
            tmp_path / "home",
            *("--port", str(api)),
            collector_url=f"http://127.0.0.1:{collector}",
        )
    assert ran.returncode == 1
    assert ran.stderr.startswith(f"Error: {which}: cannot listen on 127.0.0.1:{port}: ")


def test_the_example_flow_is_published_once_and_then_left_to_its_editors(tmp_path: Path) -> None:
    database_url = f"sqlite:///{tmp_path / 'segflow.db'}"
    with ServeProcess(database_url, tmp_path / "home") as server:
        assert "Flows      lead-capture (version 1)" in server.output()

    segflow = Segflow.open(Settings(home=tmp_path / "home", database_url=database_url))
    try:
        flows = Chats(segflow).flows
        edited = {**flows.get("lead-capture").draft, "name": "Lead capture, edited"}
        flows.save(edited, "lead-capture")
        assert flows.publish("lead-capture").version == 2
    finally:
        segflow.close()

    with ServeProcess(database_url, tmp_path / "home") as server:
        assert "Flows      lead-capture (version 2)" in server.output()
        chat = server.api.post("/api/v1/flows/lead-capture/startChat").json()
        assert server.api.get(f"/api/v1/sessions/{chat['sessionId']}").json()["flowVersion"] == 2
