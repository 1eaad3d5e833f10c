"""`segflow collector events|show`, reading the collector's database, and its start-up errors."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest

from tests.collector.commands import segflow
from tests.collector.segment_messages import batch, message, track
from tests.servers import CollectorProcess


@pytest.fixture(scope="module")
def received(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, list[Any]]]:
    """A database holding three events the collector received, oldest first."""
    url = f"sqlite:///{tmp_path_factory.mktemp('cli') / 'segflow.db'}"
    events = [
        message("identify", userId="user-1", traits={"email": "ada@example.com"}),
        track("Order Completed", properties={"total": 42}),
        message("page", anonymousId="anon-9", name="Pricing"),
    ]
    with CollectorProcess(url) as collector:
        httpx.post(f"{collector.url}/v1/batch", json=batch(*events), auth=("cli-key", ""))
        yield url, collector.events()


def test_events_lists_what_was_received_newest_first(received: tuple[str, list[Any]]) -> None:
    url, stored = received

    run = segflow("collector", "events", "--database-url", url)

    assert run.returncode == 0, run.stderr
    lines = [line for line in run.stdout.splitlines() if "│" in line]
    assert [line.split("│")[3].strip() for line in lines] == ["page", "track", "identify"]
    page, track_row, identify = lines
    assert "Pricing" in page and "anonymous anon-9" in page
    assert "Order Completed" in track_row and "user-1" in track_row
    assert stored[1]["message_id"] in track_row
    assert stored[2]["message_id"] in identify


def test_events_filters_by_type_and_limits_the_count(received: tuple[str, list[Any]]) -> None:
    url, stored = received

    by_type = segflow("collector", "events", "--type", "track", "--database-url", url)
    newest = segflow("collector", "events", "--limit", "1", "--database-url", url)

    assert "Order Completed" in by_type.stdout
    assert "Pricing" not in by_type.stdout
    assert stored[0]["message_id"] in newest.stdout
    assert stored[1]["message_id"] not in newest.stdout


def test_show_prints_one_event_by_id_or_message_id(received: tuple[str, list[Any]]) -> None:
    url, stored = received
    order = stored[1]

    by_id = segflow("collector", "show", str(order["id"]), "--database-url", url)
    by_message_id = segflow("collector", "show", order["message_id"], "--database-url", url)

    assert orjson.loads(by_id.stdout) == order
    assert orjson.loads(by_message_id.stdout) == order


def test_show_of_an_unknown_event_is_one_line_and_fails(received: tuple[str, list[Any]]) -> None:
    url, _ = received

    run = segflow("collector", "show", "no-such-message", "--database-url", url)

    assert run.returncode == 1
    assert run.stderr.strip() == (
        "Error: The collector has no event with id or messageId 'no-such-message'"
    )


def test_events_says_so_when_nothing_was_received(tmp_path: Path) -> None:
    run = segflow("collector", "events", "--database-url", f"sqlite:///{tmp_path / 'empty.db'}")

    assert run.returncode == 0
    assert run.stdout.strip() == "The collector has received no events."


def test_a_busy_port_stops_the_collector_with_one_line() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]

        run = segflow("collector", "--no-store", "--port", str(port))

    assert run.returncode == 1
    assert run.stderr.strip().startswith(f"Error: Collector: cannot listen on 127.0.0.1:{port}: ")
    assert len(run.stderr.strip().splitlines()) == 1
