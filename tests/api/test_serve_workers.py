"""`segflow serve --workers 2` on PostgreSQL: a chat, a preview chat and its Events panel go on
whichever worker serves each request (and after a restart), and several `segflow deliver`
share one backlog.

Which worker serves a request is the kernel's choice, per connection: the tests keep
connections open and find the worker holding each one, then choose the worker of each turn.
"""

from __future__ import annotations

import http.client
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import psutil
import pytest

from segflow.service import Segflow
from segflow.settings import Settings
from tests.cli.test_serve_cpus import ALLOWED, cpus_of_threads, needs_two_cpus
from tests.deliver_process import DeliverProcess
from tests.delivery.test_sender_processes import queue_tracks
from tests.serve_process import ServeProcess
from tests.servers import CollectorProcess

TOKEN = "editor-token-for-two-workers"
ENVIRONMENT = {"SEGFLOW_NEW_CHATS_PER_MINUTE": "0", "SEGFLOW_EDITOR_TOKEN": TOKEN}


class Worker:
    """A connection to the chat API held by one worker process (its `pid`)."""

    def __init__(self, server: ServeProcess, connection: http.client.HTTPConnection, pid: int):
        self.server = server
        self.connection = connection
        self.pid = pid

    def post(self, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        answer = self.request("POST", path, body)
        assert answer.status in (200, 201), answer.read()
        result: dict[str, Any] = orjson.loads(answer.read())
        return result

    def request(
        self, method: str, path: str, body: dict[str, Any] | None = None
    ) -> http.client.HTTPResponse:
        headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}
        data = orjson.dumps(body) if body is not None else None
        self.connection.request(method, path, body=data, headers=headers)
        return self.connection.getresponse()


def workers(server: ServeProcess, wanted: int = 2) -> dict[int, list[Worker]]:
    """`wanted` connections to each of the server's workers, by worker process ID."""
    children = {child.pid for child in psutil.Process(server.pid).children()}
    assert len(children) == 2, f"segflow serve --workers 2 runs {len(children)} worker(s)"
    found: dict[int, list[Worker]] = {pid: [] for pid in children}
    for _ in range(500):
        if all(len(held) >= wanted for held in found.values()):
            return found
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
        connection.request("GET", "/healthz")  # served, so accepted: a worker holds it
        connection.getresponse().read()
        local_port = connection.sock.getsockname()[1]
        [holder] = [
            pid
            for pid in children
            if any(
                held.raddr and held.raddr.port == local_port
                for held in psutil.Process(pid).net_connections(kind="tcp")
            )
        ]
        if len(found[holder]) < wanted:
            found[holder].append(Worker(server, connection, holder))
        else:
            connection.close()
    raise AssertionError(f"the kernel gave no connection to some worker: {found}")


@pytest.fixture
def server(postgres_url: str, home: Path) -> Iterator[ServeProcess]:
    with ServeProcess(
        postgres_url, home, args=["--workers", "2"], environment=ENVIRONMENT
    ) as running:
        yield running


def test_chats_go_on_whichever_worker_serves_each_turn(server: ServeProcess) -> None:
    found = workers(server, wanted=1)
    first, second = (held[0] for held in found.values())

    emails = []
    for number in range(6):
        # Each chat starts on one worker and is answered on the other, then on the first.
        starting, other = (first, second) if number % 2 == 0 else (second, first)
        started = starting.post("/api/v1/flows/lead-capture/startChat")
        session = started["sessionId"]
        named = other.post(f"/api/v1/sessions/{session}/continueChat", {"message": "Ada"})
        assert "Nice to meet you, Ada!" in orjson.dumps(named["messages"]).decode()
        emails.append(f"ada{number}@example.com")
        asked = starting.post(f"/api/v1/sessions/{session}/continueChat", {"message": emails[-1]})
        assert asked["input"]["type"] == "choiceInput", asked

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:  # sent by the main process's sender
        events = server.collector.events()
        if (identified := {e["user_id"] for e in events if e["type"] == "identify"}) == set(emails):
            break
        time.sleep(0.1)
    assert identified == set(emails)
    output = server.output()
    assert output.count("segflow is serving") == 1  # the banner, once
    assert "Workers    2 processes serve the chat API" in output
    assert "Traceback" not in output


@needs_two_cpus
def test_each_worker_keeps_to_a_cpu_of_its_own_and_the_sender_moves_freely(
    server: ServeProcess,
) -> None:
    kept = {
        pid: {tuple(cpus) for cpus in threads.values()}
        for pid, threads in ((pid, cpus_of_threads(pid)) for pid in workers(server, wanted=1))
    }
    first, second = ALLOWED[:2]
    assert all(len(cpus) == 1 for cpus in kept.values()), kept  # all of a worker's threads
    assert sorted(cpus for each in kept.values() for cpus in each) == [(first,), (second,)]
    # The main process runs the sender, the collector and retention: the system places them.
    assert {tuple(cpus) for cpus in cpus_of_threads(server.pid).values()} == {tuple(ALLOWED)}
    assert f"each kept on one CPU: {first}, {second}" in server.output()


@needs_two_cpus
def test_with_more_workers_than_cpus_the_system_places_them(postgres_url: str, home: Path) -> None:
    count = len(ALLOWED) + 1  # two would share a CPU, and could not move to one left idle
    with ServeProcess(
        postgres_url, home, args=["--workers", str(count)], environment=ENVIRONMENT
    ) as server:
        children = psutil.Process(server.pid).children()
        assert len(children) == count
        for child in children:
            assert {tuple(cpus) for cpus in cpus_of_threads(child.pid).values()} == {tuple(ALLOWED)}
        assert f"  Workers    {count} processes serve the chat API\n" in server.output()


def test_the_preview_events_panel_shows_a_turn_another_worker_served(
    server: ServeProcess,
) -> None:
    found = workers(server, wanted=2)
    (turns, _), (other, panel) = found.values()

    started = turns.post("/editor/api/preview", {"flowId": "lead-capture", "source": "draft"})
    session = started["sessionId"]
    named = other.post(f"/editor/api/preview/{session}/answers", {"answer": "Ada"})
    stream = panel.request("GET", f"/editor/api/preview/{session}/events")
    assert stream.status == 200
    # The panel, open on the second worker, lists the messages of the turns both served.
    queued = [sent["messageId"] for sent in started["segment"] + named["segment"]]
    assert started["segment"] and named["segment"]
    first = next_messages(stream)
    assert first is not None and [message["messageId"] for message in first] == queued

    answered = turns.post(f"/editor/api/preview/{session}/answers", {"answer": "ada@example.com"})
    [identify] = [sent for sent in answered["segment"] if sent["type"] == "identify"]
    queued += [sent["messageId"] for sent in answered["segment"]]
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        shown = next_messages(stream)
        if shown is None:  # the stream renews itself every 25 s: the panel opens a new one
            stream = panel.request("GET", f"/editor/api/preview/{session}/events")
            continue
        if [m["messageId"] for m in shown] == queued and {m["state"] for m in shown} == {
            "delivered"
        }:
            break
    else:
        raise AssertionError(f"not every message was shown delivered within 90 s: {shown}")
    [shown_identify] = [m for m in shown if m["messageId"] == identify["messageId"]]
    assert shown_identify["body"]["userId"] == "ada@example.com"
    assert worker_list(other, session) == shown  # the other worker's list is the same


def next_messages(stream: http.client.HTTPResponse) -> list[dict[str, Any]] | None:
    """The next `messages` event of the Events stream; None once the stream ends (renewed)."""
    event = ""
    while line := stream.readline():
        text = line.decode().rstrip("\n")
        if text.startswith("event: "):
            event = text.removeprefix("event: ")
        elif text.startswith("data: ") and event == "messages":
            messages: list[dict[str, Any]] = orjson.loads(text.removeprefix("data: "))
            return messages
    return None


def worker_list(worker: Worker, session: str) -> list[dict[str, Any]]:
    answer = worker.request("GET", f"/editor/api/preview/{session}/messages")
    assert answer.status == 200
    listed: list[dict[str, Any]] = orjson.loads(answer.read())
    return listed


def test_two_senders_share_one_backlog_and_send_each_message_once(
    postgres_url: str, home: Path, tmp_path: Path
) -> None:
    with (
        CollectorProcess(f"sqlite:///{tmp_path / 'collected.db'}") as collector,
        DeliverProcess(postgres_url, home, collector.url) as first,
        DeliverProcess(postgres_url, home, collector.url) as second,
    ):
        collector.set_faults(delay=0.2)  # batches take a while, so both senders look for more
        segflow = Segflow.open(Settings(database_url=postgres_url, collector_url=collector.url))
        try:
            # Each account's messages go out in order, one sender at a time: two accounts, so
            # that both senders may take a share.
            segflow.destinations.add("second", "second-write-key", collector.url)
            sent = queue_tracks(segflow, 6_000) + queue_tracks(segflow, 6_000, "second")
            deadline = time.monotonic() + 120
            while segflow.outbox.pending() and time.monotonic() < deadline:
                time.sleep(0.1)
            assert segflow.outbox.pending() == 0
        finally:
            segflow.close()
        assert [first.stop(signal.SIGTERM), second.stop(signal.SIGTERM)] == [0, 0]

        delivered = [delivered_by(first.output()), delivered_by(second.output())]
        assert sum(delivered) == len(sent), delivered
        received = [event["message_id"] for event in collector.events(limit=20_000)]
        assert len(received) == len(set(received)) == len(sent)  # none twice
        assert set(received) == set(sent)  # none lost


def delivered_by(output: str) -> int:
    """What a `segflow deliver` says it delivered, on its last line."""
    found = re.findall(r"Delivered ([\d,]+), dead-lettered 0", output)
    assert found, output
    return int(found[-1].replace(",", ""))


def test_serve_refuses_several_workers_on_sqlite(home: Path, tmp_path: Path) -> None:
    refused = subprocess.run(
        [
            *(sys.executable, "-m", "segflow", "--database-url", f"sqlite:///{tmp_path}/s.db"),
            *("serve", "--port", "0", "--workers", "2"),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert refused.returncode == 1
    assert refused.stderr.startswith("Error: --workers 2 needs PostgreSQL"), refused.stderr
    assert refused.stdout == ""


def test_the_workers_stop_with_serve_even_when_it_is_killed(server: ServeProcess) -> None:
    children = [child.pid for child in psutil.Process(server.pid).children()]
    assert server.stop(signal.SIGINT) == 0  # Ctrl+C
    assert not [pid for pid in children if psutil.pid_exists(pid)]

    server.start()
    processes = psutil.Process(server.pid).children()
    server.kill()  # SIGKILL: it cannot ask its workers to stop
    _gone, alive = psutil.wait_procs(processes, timeout=10)
    assert alive == []


def test_a_preview_chat_goes_on_after_serve_restarts(home: Path, tmp_path: Path) -> None:
    with ServeProcess(
        f"sqlite:///{tmp_path / 'segflow.db'}", home, environment=ENVIRONMENT
    ) as server:
        editor = {"Authorization": f"Bearer {TOKEN}"}
        started = server.api.post(
            "/editor/api/preview", json={"flowId": "lead-capture"}, headers=editor
        ).json()
        assert server.stop() == 0
        server.start()

        named = server.api.post(
            f"/editor/api/preview/{started['sessionId']}/answers",
            json={"answer": "Ada"},
            headers=editor,
        )
        assert named.status_code == 200, named.text
        assert "Nice to meet you, Ada!" in named.text
        listed = server.api.get(
            f"/editor/api/preview/{started['sessionId']}/messages", headers=editor
        ).json()
        assert [sent["messageId"] for sent in listed] == [
            sent["messageId"] for sent in started["segment"] + named.json()["segment"]
        ]
