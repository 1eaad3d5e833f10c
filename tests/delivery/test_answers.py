"""Every answer of an endpoint read right: redirects, 2xx bodies refusing some events, an
endpoint that refuses everything. Against the real collector, with its fault injection."""

from __future__ import annotations

import base64
import logging
import threading
import time

import pytest
from sqlalchemy import select

from segflow.service import Segflow
from segflow.store.tables import outbox
from tests.delivery.conftest import QUICK
from tests.delivery.test_delivery import queue, track
from tests.servers import CollectorProcess


def run_for(segflow: Segflow, seconds: float) -> None:
    sender = segflow.sender(QUICK)
    running = threading.Thread(target=sender.run)
    running.start()
    time.sleep(seconds)
    sender.stop()
    running.join()


def test_an_endpoint_that_moved_with_308_still_gets_every_message(
    segflow: Segflow, collector: CollectorProcess
) -> None:
    collector.set_faults(status=308, location=f"{collector.url}/v1/batch", times=1)
    sent = queue(segflow, [track(f"Step {n}") for n in range(5)])

    report = segflow.sender(QUICK).run(until_empty=True)

    assert (report.delivered, report.dead) == (5, 0)
    assert [e["message_id"] for e in reversed(collector.events())] == sent
    statuses = [request["status"] for request in reversed(collector.requests())]
    assert statuses == [308, 200]  # the same POST, body and all, sent again where it moved


def test_a_301_keeps_messages_queued_and_names_where_the_endpoint_went(
    segflow: Segflow, collector: CollectorProcess
) -> None:
    collector.set_faults(status=301, location="https://moved.example.com/v1/batch")
    queue(segflow, [track() for _ in range(3)])

    run_for(segflow, 0.6)

    (counts,) = segflow.outbox.counts()
    assert (counts.queued, counts.delivered, counts.dead) == (3, 0, 0)
    assert counts.last_error is not None
    assert "https://moved.example.com/v1/batch" in counts.last_error
    assert "change the account's endpoint" in counts.last_error


def test_a_jitsu_style_sink_refusing_some_events_gets_exactly_those_dead_lettered(
    segflow: Segflow, collector: CollectorProcess
) -> None:
    long_name = "A name longer than sixty-four characters, which this sink refuses to keep"
    collector.set_faults(refuse_event=long_name)
    actions = [track(f"Fine {n}") for n in range(10)]
    actions[2] = actions[7] = track(long_name)
    sent = queue(segflow, actions)

    report = segflow.sender(QUICK).run(until_empty=True)

    assert (report.delivered, report.dead) == (8, 2)
    assert {e["message_id"] for e in collector.events()} == set(sent) - {sent[2], sent[7]}
    letters = segflow.outbox.dead_letters()
    assert [letter["message_id"] for letter in letters] == [sent[2], sent[7]]
    assert all(f"event {long_name!r} refused" in letter["last_error"] for letter in letters)
    assert len(collector.requests()) == 1  # read from the one answer, no splitting


def test_an_endpoint_refusing_everything_backs_off_as_misconfigured_after_a_few_requests(
    segflow: Segflow, collector: CollectorProcess
) -> None:
    collector.set_faults(status=400)
    queue(segflow, [track() for _ in range(40)])

    run_for(segflow, 1.5)

    (counts,) = segflow.outbox.counts()
    assert (counts.queued, counts.dead) == (40, 0)
    assert counts.last_error is not None and "check the account's endpoint" in counts.last_error
    assert counts.retry_at is not None
    assert len(collector.requests()) < 20  # splitting down to each message would take 79


def test_an_answer_echoing_the_write_key_is_stored_and_logged_without_it(
    segflow: Segflow, collector: CollectorProcess, caplog: pytest.LogCaptureFixture
) -> None:
    write_key = "wk_echoed_0123456789abcdef"
    segflow.destinations.add("echoing", write_key, collector.url, default=True)
    collector.set_faults(status=401, echo_credentials=True)
    queue(segflow, [track()])

    with caplog.at_level(logging.WARNING, logger="segflow.delivery"):
        run_for(segflow, 0.6)

    basic = base64.b64encode(f"{write_key}:".encode()).decode()
    assert basic in collector.requests()[0]["answer"]["message"]  # the endpoint echoed it
    echoing = next(row for row in segflow.outbox.counts() if row.destination == "echoing")
    assert echoing.last_error is not None and "Basic [Write Key]" in echoing.last_error
    with segflow.database.engine.connect() as connection:
        (message_error,) = connection.execute(select(outbox.c.last_error)).scalars()
    stored = [echoing.last_error, message_error, caplog.text]
    assert all(write_key not in text and basic not in text for text in stored)
