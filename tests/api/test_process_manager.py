"""segflow under a process manager: gunicorn with --preload forks two workers from a manager
that already opened the database, and `segflow deliver` sends the events beside them."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from segflow.chat import Chats
from segflow.flow import read_document
from segflow.service import Segflow
from segflow.settings import Settings
from tests.conftest import free_port
from tests.deliver_process import DeliverProcess
from tests.servers import CollectorProcess

EXAMPLE = Path(__file__).parents[2] / "examples" / "lead-capture.yaml"
CHATS = 200


@contextmanager
def gunicorn(environment: dict[str, str], folder: Path) -> Iterator[tuple[str, Path]]:
    """The documented command, on a free port; yields its URL and its log file."""
    port = free_port()
    log = folder / "gunicorn.txt"
    command = [
        *(sys.executable, "-m", "gunicorn", "--preload", "-w", "2"),
        *("-k", "uvicorn_worker.UvicornWorker", "-b", f"127.0.0.1:{port}"),
        *("--control-socket", str(folder / "gunicorn.ctl")),
        "segflow.api.asgi:app",
    ]
    with log.open("wb") as output:
        process = subprocess.Popen(command, env=environment, stdout=output, stderr=output)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while log.read_text().count("Application startup complete") < 2:
            assert process.poll() is None, log.read_text()
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.1)
        yield url, log
    finally:
        process.terminate()
        process.wait(timeout=30)


def chat(url: str) -> dict[str, Any]:
    """One chat on the example flow, three turns; the answers must all be 200."""
    with httpx.Client(base_url=url, timeout=30) as client:
        started = client.post("/api/v1/flows/lead-capture/startChat")
        assert started.status_code == 200, started.text
        session = started.json()["sessionId"]
        for message in ("Ada", "ada@example.com"):
            turn = client.post(
                f"/api/v1/sessions/{session}/continueChat", json={"message": message}
            )
            assert turn.status_code == 200, turn.text
        result: dict[str, Any] = started.json()
        return result


def test_gunicorn_preload_with_two_workers_serves_every_chat_and_deliver_sends_every_event(
    postgres_url: str, home: Path, tmp_path: Path
) -> None:
    with CollectorProcess(f"sqlite:///{tmp_path / 'collected.db'}") as collector:
        settings = Settings(database_url=postgres_url, collector_url=collector.url)
        segflow = Segflow.open(settings)
        flows = Chats(segflow).flows
        flows.save(read_document(EXAMPLE), "lead-capture")
        flows.publish("lead-capture")
        environment = {
            **os.environ,
            "SEGFLOW_HOME": str(home),
            "SEGFLOW_DATABASE_URL": postgres_url,
            "SEGFLOW_COLLECTOR_URL": collector.url,
            "SEGFLOW_NEW_CHATS_PER_MINUTE": "0",  # every chat comes from this one address
        }
        try:
            with (
                gunicorn(environment, tmp_path) as (url, log),
                DeliverProcess(postgres_url, home, collector.url),
            ):
                with ThreadPoolExecutor(8) as pool:
                    chats = list(pool.map(lambda _: chat(url), range(CHATS)))

                queued = sum(
                    count.queued + count.retrying + count.delivered + count.dead
                    for count in segflow.outbox.counts()
                )
                deadline = time.monotonic() + 60
                while segflow.outbox.pending() and time.monotonic() < deadline:
                    time.sleep(0.2)
                assert segflow.outbox.pending() == 0
                assert "Traceback" not in log.read_text()
                assert "[ERROR]" not in log.read_text()

            events = collector.events(limit=100_000)
            assert len({event["message_id"] for event in events}) == queued
            assert {event["anonymous_id"] for event in events} == {
                started["anonymousId"] for started in chats
            }
            assert [count.dead for count in segflow.outbox.counts()] == [0]
        finally:
            segflow.close()
