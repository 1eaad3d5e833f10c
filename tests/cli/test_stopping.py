"""Ctrl+C and SIGTERM always stop `segflow serve` and `segflow deliver`, while chats and events
flow, within the deadline and with exit status 0, and nothing queued is lost."""

from __future__ import annotations

import signal
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from segflow.segment import TrackEvent
from segflow.service import Segflow
from segflow.settings import Settings
from tests.deliver_process import DeliverProcess
from tests.serve_process import ServeProcess
from tests.servers import CollectorProcess

# 25 stops on each database: 50 per command. A stop that hung (1 in 16 before) shows here.
ROUNDS = 25
# Seconds from the signal to the exit. `deliver`: the sender's deadline for a batch in flight
# (10) and a margin. `serve` stops its parts one after the other: requests in progress (at
# most 5), the sender (10), the collector (5).
DELIVER_DEADLINE = 15.0
SERVE_DEADLINE = 20.0
SIGNALS = (signal.SIGINT, signal.SIGTERM)


@contextmanager
def running(work: Callable[[threading.Event], None]) -> Iterator[None]:
    """`work` on a thread until the block ends; it is told to stop through the event."""
    done = threading.Event()
    thread = threading.Thread(target=work, args=(done,))
    thread.start()
    try:
        yield
    finally:
        done.set()
        thread.join()


def test_serve_stops_on_every_ctrl_c_and_sigterm_while_chats_go_on(
    database_url: str, home: Path
) -> None:
    server = ServeProcess(
        database_url,
        home,
        args=["--lease", "4", "--timeout", "3"],
        environment={
            "PYTHONFAULTHANDLER": "1",  # a stop that hangs shows every thread
            "SEGFLOW_NEW_CHATS_PER_MINUTE": "0",  # one client starts chat after chat
        },
    )
    started: list[str] = []  # the anonymousId of each chat the API started
    refused: list[int] = []

    def chat(done: threading.Event) -> None:
        with httpx.Client(base_url=server.url, timeout=5) as client:
            while not done.is_set():
                try:
                    answer = client.post("/api/v1/flows/lead-capture/startChat")
                except httpx.TransportError:
                    time.sleep(0.02)  # stopped, or not started yet
                    continue
                if answer.status_code == 200:
                    started.append(answer.json()["anonymousId"])
                else:
                    refused.append(answer.status_code)

    try:
        with running(chat):
            for round_number in range(ROUNDS):
                server.start()
                time.sleep(0.1 + (round_number % 4) * 0.1)
                stopped_at = time.monotonic()
                exit_code = server.stop(SIGNALS[round_number % 2], timeout=SERVE_DEADLINE)
                assert exit_code == 0, server.output()[-2000:]
                assert time.monotonic() - stopped_at < SERVE_DEADLINE
        assert refused == []
        assert len(started) >= ROUNDS

        # Whatever stayed queued at each stop goes out on the next start.
        server.start()
        deadline = time.monotonic() + 60
        while not set(started) <= _anonymous_ids(server) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert set(started) <= _anonymous_ids(server)
        assert server.output().count("Stopped.") == ROUNDS
    finally:
        server.__exit__(None, None, None)


def _anonymous_ids(server: ServeProcess) -> set[str]:
    return {event["anonymous_id"] for event in server.collector.events()}


def test_deliver_stops_on_every_ctrl_c_and_sigterm_while_events_are_queued(
    database_url: str, home: Path
) -> None:
    queued: list[str] = []
    with CollectorProcess(database_url) as collector:
        collector.set_faults(delay=0.05)  # a batch is in flight at most stops
        segflow = Segflow.open(Settings(database_url=database_url, collector_url=collector.url))
        sender = DeliverProcess(
            database_url, home, collector.url, args=["--lease", "4", "--timeout", "3"]
        )

        def queue(done: threading.Event) -> None:
            number = 0
            while not done.is_set():
                for _ in range(20):
                    number += 1
                    track = TrackEvent(event_name=f"Event {number}", user_id="u1")
                    queued.append(segflow.send(track).message_id)
                time.sleep(0.02)

        try:
            with running(queue):
                for round_number in range(ROUNDS):
                    sender.start()
                    time.sleep(0.1 + (round_number % 4) * 0.1)
                    stopped_at = time.monotonic()
                    exit_code = sender.stop(SIGNALS[round_number % 2], timeout=DELIVER_DEADLINE)
                    assert exit_code == 0, sender.output()[-2000:]
                    assert time.monotonic() - stopped_at < DELIVER_DEADLINE
            assert sender.output().count("Stopping: finishing batches in flight") == ROUNDS

            # Nothing was lost: what each stop left queued is delivered by the next sender.
            collector.clear_faults()
            finishing = subprocess.run(
                [*sender.command, "--until-empty"],
                env=sender.environment,
                capture_output=True,
                text=True,
                timeout=120,
            )
            assert finishing.returncode == 0, finishing.stdout + finishing.stderr
            received = {event["message_id"] for event in collector.events(limit=100_000)}
            assert set(queued) <= received
            assert segflow.outbox.pending() == 0
            assert segflow.outbox.counts()[0].dead == 0
        finally:
            sender.__exit__(None, None, None)
            segflow.close()
