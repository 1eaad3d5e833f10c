"""Delivery to a real Segment-compatible collector: batching, retries, isolation, dead letters."""

from __future__ import annotations

import itertools
import socket
import threading
import time

import pytest

from segflow.delivery import SenderOptions
from segflow.delivery.backoff import Backoff
from segflow.segment import KeyValue, TrackEvent, build_message
from segflow.service import Segflow
from tests.delivery.conftest import QUICK
from tests.servers import CollectorProcess


def track(event: str = "Signed Up", *, padding: int = 0, user: str = "u1") -> TrackEvent:
    properties = [KeyValue(key="padding", value="x" * padding)] if padding else []
    return TrackEvent(event_name=event, user_id=user, properties=properties)


def queue(segflow: Segflow, actions: list[TrackEvent], destination: str | None = None) -> list[str]:
    messages = [build_message(action) for action in actions]
    target = segflow.destinations.resolve(destination)
    with segflow.database.engine.begin() as connection:
        segflow.outbox.enqueue_many(messages, target.id, connection=connection)
    return [message.message_id for message in messages]


def test_every_message_arrives_once_in_order_with_basic_auth(
    segflow: Segflow, collector: CollectorProcess
) -> None:
    sent = queue(segflow, [track(f"Step {n}") for n in range(30)])

    report = segflow.sender(QUICK).run(until_empty=True)

    assert report.delivered == 30
    received = list(reversed(collector.events()))
    assert [event["message_id"] for event in received] == sent
    assert [event["name"] for event in received] == [f"Step {n}" for n in range(30)]
    (request,) = collector.requests()
    assert (request["path"], request["status"], request["auth"]) == ("/v1/batch", 200, "basic")
    assert request["gzip"] is False  # on this machine, compressing would only cost CPU
    assert segflow.outbox.counts()[0].delivered == 30


def machine_address() -> str:
    """This machine's address on its network (not loopback): the one it would reach out from."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.connect(("192.0.2.1", 9))  # UDP: picks the route, sends nothing
        return str(probe.getsockname()[0])


def test_batches_to_another_machine_are_gzipped(segflow: Segflow, database_url: str) -> None:
    with CollectorProcess(database_url, host=machine_address()) as remote:
        segflow.destinations.add("remote", "wk_remote_0001", remote.url)
        sent = queue(segflow, [track(f"Step {n}") for n in range(30)], destination="remote")

        segflow.sender(QUICK).run(until_empty=True)

        (request,) = remote.requests()
        assert (request["status"], request["gzip"]) == (200, True)
        assert [event["message_id"] for event in reversed(remote.events())] == sent


def test_batches_respect_segment_count_and_size_limits(
    segflow: Segflow, collector: CollectorProcess
) -> None:
    queue(segflow, [track() for _ in range(6_000)])
    queue(segflow, [track("Big", padding=30_000) for _ in range(40)])

    segflow.sender(QUICK).run(until_empty=True)

    requests = collector.requests()
    assert sum(r["events"] for r in requests) == 6_040
    assert all(r["status"] == 200 for r in requests)
    assert max(r["events"] for r in requests) <= 2_500
    assert max(r["body_bytes"] for r in requests) <= 500 * 1024
    # Full batches: no more requests than the limits force.
    assert len(requests) <= sum(r["body_bytes"] for r in requests) // (480 * 1024) + 2
    assert len(collector.events(limit=10_000)) == 6_040


def test_retry_after_is_honoured_before_the_next_try(
    segflow: Segflow, collector: CollectorProcess
) -> None:
    collector.set_faults(status=429, times=1, retry_after=2)
    queue(segflow, [track() for _ in range(5)])

    segflow.sender(QUICK).run(until_empty=True)

    first, second = sorted(collector.requests(), key=lambda r: r["received_at"])
    assert (first["status"], second["status"]) == (429, 200)
    assert second["received_at"] - first["received_at"] >= 2.0
    assert len(collector.events()) == 5


def test_server_errors_are_retried_with_growing_waits(
    segflow: Segflow, collector: CollectorProcess
) -> None:
    collector.set_faults(status=503, times=3)
    queue(segflow, [track() for _ in range(3)])

    report = segflow.sender(QUICK).run(until_empty=True)

    assert (report.delivered, report.failed_attempts, report.dead) == (3, 3, 0)
    times = sorted(r["received_at"] for r in collector.requests())
    waits = [later - earlier for earlier, later in itertools.pairwise(times)]
    assert waits[0] >= 0.1  # half of the first backoff at the least
    assert waits[2] >= 0.4  # the third wait's ceiling has doubled twice
    assert [r["status"] for r in sorted(collector.requests(), key=lambda r: r["id"])] == [
        503,
        503,
        503,
        200,
    ]


def test_a_refused_message_is_isolated_and_dead_lettered_with_the_answer(
    segflow: Segflow, collector: CollectorProcess
) -> None:
    collector.set_faults(reject_event="Poison")
    actions = [track(f"Fine {n}") for n in range(20)]
    actions[13] = track("Poison")
    sent = queue(segflow, actions)

    report = segflow.sender(QUICK).run(until_empty=True)

    assert (report.delivered, report.dead) == (19, 1)
    received = {event["message_id"] for event in collector.events()}
    assert received == set(sent) - {sent[13]}
    (letter,) = segflow.outbox.dead_letters()
    assert letter["message_id"] == sent[13]
    assert "HTTP 400" in letter["last_error"]
    assert sent[13] in letter["last_error"]  # the collector's answer names the message
    assert len(collector.requests()) == 2  # named in the answer: no splitting to find it


def test_messages_that_keep_failing_end_as_dead_letters_with_a_reason(
    segflow: Segflow, collector: CollectorProcess
) -> None:
    collector.set_faults(status=500)
    queue(segflow, [track() for _ in range(2)])
    options = SenderOptions(
        poll_interval=0.02, timeout=5, lease=10, max_attempts=3, backoff=Backoff(first=0.05)
    )

    report = segflow.sender(options).run(until_empty=True)

    assert (report.delivered, report.dead) == (0, 2)
    letters = segflow.outbox.dead_letters()
    assert all(letter["last_error"].startswith("gave up after 3 attempts") for letter in letters)
    assert all("HTTP 500" in letter["last_error"] for letter in letters)
    assert collector.events() == []


def test_a_failing_destination_never_delays_another(
    segflow: Segflow, collector: CollectorProcess, database_url: str
) -> None:
    with CollectorProcess(database_url, args=["--delay", "3", "--fail-status", "503"]) as slow:
        segflow.destinations.add("broken", "broken-key-0000", slow.url)
        queue(segflow, [track() for _ in range(5)], destination="broken")
        sender = segflow.sender(QUICK)
        running = threading.Thread(target=sender.run)
        running.start()
        try:
            time.sleep(0.5)  # the broken destination's first request is now hanging
            started = time.monotonic()
            queue(segflow, [track("Healthy") for _ in range(5)])
            healthy = collector.wait_for_events(5, timeout=10)
            took = time.monotonic() - started
        finally:
            sender.stop()
            running.join()
    assert len(healthy) == 5
    assert took < 2.5
    broken = next(c for c in segflow.outbox.counts() if c.destination == "broken")
    assert broken.queued == 5


def test_an_unreachable_endpoint_keeps_messages_queued_with_the_error(
    segflow: Segflow, collector: CollectorProcess
) -> None:
    segflow.destinations.add("offline", "offline-key-0000", "http://127.0.0.1:9")
    queue(segflow, [track()], destination="offline")
    sender = segflow.sender(QUICK)
    running = threading.Thread(target=sender.run)
    running.start()
    time.sleep(1.0)
    sender.stop()
    running.join()

    offline = next(c for c in segflow.outbox.counts() if c.destination == "offline")
    assert (offline.queued, offline.retrying, offline.dead) == (1, 1, 0)
    assert offline.last_error is not None and "network error" in offline.last_error
    assert offline.retry_at is not None


def test_dead_letters_can_be_queued_again_and_then_delivered(
    segflow: Segflow, collector: CollectorProcess
) -> None:
    collector.set_faults(reject_event="Poison")
    queue(segflow, [track("Poison")])
    segflow.sender(QUICK).run(until_empty=True)
    assert len(segflow.outbox.dead_letters()) == 1

    collector.clear_faults()
    assert segflow.outbox.retry_dead() == 1
    segflow.sender(QUICK).run(until_empty=True)

    assert segflow.outbox.dead_letters() == []
    assert [event["name"] for event in collector.events()] == ["Poison"]


def test_graceful_stop_leaves_unsent_messages_queued_for_the_next_start(
    segflow: Segflow, collector: CollectorProcess
) -> None:
    collector.set_faults(delay=1.5, times=1)
    queue(segflow, [track() for _ in range(3_000)])
    sender = segflow.sender(QUICK)
    running = threading.Thread(target=sender.run, kwargs={"shutdown_deadline": 5})
    running.start()
    time.sleep(0.5)
    sender.stop()
    running.join()

    counts = segflow.outbox.counts()[0]
    (in_flight,) = collector.requests()
    assert counts.delivered == in_flight["events"]  # the batch in flight was finished
    assert counts.queued == 3_000 - in_flight["events"] > 0
    segflow.sender(QUICK).run(until_empty=True)
    assert segflow.outbox.counts()[0].delivered == 3_000


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_enqueue_joins_the_callers_transaction(segflow: Segflow) -> None:
    destination = segflow.destinations.resolve()
    with pytest.raises(RuntimeError), segflow.database.engine.begin() as connection:
        segflow.outbox.enqueue(build_message(track()), destination.id, connection=connection)
        raise RuntimeError("the chat turn failed")
    assert segflow.outbox.pending() == 0


def test_retrying_one_destinations_dead_letters_leaves_the_others_backoff_alone(
    segflow: Segflow, collector: CollectorProcess, database_url: str
) -> None:
    with CollectorProcess(database_url) as other:
        segflow.destinations.add("b", "b-key-0000", other.url)
        other.set_faults(reject_event="Poison")
        queue(segflow, [track("Poison")], destination="b")
        segflow.sender(QUICK).run(until_empty=True)
        assert len(segflow.outbox.dead_letters()) == 1

        collector.set_faults(status=429, retry_after=60)
        queue(segflow, [track()])
        sender = segflow.sender(QUICK)
        running = threading.Thread(target=sender.run)
        running.start()
        wait = time.monotonic() + 10
        while segflow.outbox.undelivered()[segflow.destinations.resolve().id].retry_at is None:
            assert time.monotonic() < wait
            time.sleep(0.05)
        sender.stop()
        running.join()

        b = segflow.destinations.get("b")
        assert segflow.outbox.retry_dead(b.id) == 1

        counts = {row.destination: row for row in segflow.outbox.counts()}
        assert counts["b"].retry_at is None
        told_to_wait = counts[segflow.destinations.resolve().name].retry_at
        assert told_to_wait is not None and told_to_wait > time.time() + 50
