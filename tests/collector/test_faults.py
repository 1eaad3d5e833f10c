"""Faults a sender must survive: set at start or at run time, applied to whole requests."""

from __future__ import annotations

import time

import httpx
import pytest

from tests.collector.commands import segflow
from tests.collector.segment_messages import Message, batch, track
from tests.servers import CollectorProcess

AUTH = ("faults-write-key", "")


def post(collector: CollectorProcess, *events: Message) -> httpx.Response:
    return httpx.post(f"{collector.url}/v1/batch", json=batch(*events), auth=AUTH)


def is_stored(collector: CollectorProcess, event: Message) -> bool:
    return bool(collector.events(message_id=event["messageId"]))


def test_a_status_fault_answers_that_status_with_retry_after_for_so_many_requests(
    shared_collector: CollectorProcess,
) -> None:
    shared_collector.set_faults(status=503, retry_after=2, times=2)
    first, second, third = track(), track(), track()

    answers = [post(shared_collector, event) for event in (first, second, third)]

    assert [a.status_code for a in answers] == [503, 503, 200]
    assert [a.headers.get("Retry-After") for a in answers] == ["2", "2", None]
    assert answers[0].json() == {
        "success": False,
        "code": "fault_injected",
        "message": "Fault injected by the collector: answering 503",
    }
    assert [is_stored(shared_collector, e) for e in (first, second, third)] == [False, False, True]
    recorded = shared_collector.requests(limit=3)
    assert [(r["status"], r["events"]) for r in reversed(recorded)] == [
        (503, 1),
        (503, 1),
        (200, 1),
    ]
    assert shared_collector.faults()["status"] is None


def test_a_status_fault_lasts_until_cleared_when_times_is_absent(
    shared_collector: CollectorProcess,
) -> None:
    shared_collector.set_faults(status=500)

    assert [post(shared_collector, track()).status_code for _ in range(3)] == [500, 500, 500]
    shared_collector.clear_faults()
    assert post(shared_collector, track()).status_code == 200


def test_retry_after_alone_is_segments_rate_limit_answer(
    shared_collector: CollectorProcess,
) -> None:
    assert shared_collector.set_faults(retry_after=0.5, times=1)["status"] == 429

    answer = post(shared_collector, track())

    assert (answer.status_code, answer.headers["Retry-After"]) == (429, "0.5")


def test_a_delay_holds_the_answer_and_still_stores_the_events(
    shared_collector: CollectorProcess,
) -> None:
    shared_collector.set_faults(delay=0.4, times=1)
    slow, fast = track(), track()

    started = time.monotonic()
    assert post(shared_collector, slow).status_code == 200
    slow_seconds = time.monotonic() - started
    started = time.monotonic()
    assert post(shared_collector, fast).status_code == 200
    fast_seconds = time.monotonic() - started

    assert slow_seconds >= 0.4
    assert fast_seconds < 0.3
    assert is_stored(shared_collector, slow)
    assert is_stored(shared_collector, fast)


def test_a_sender_that_gives_up_on_a_delayed_answer_has_still_delivered(
    shared_collector: CollectorProcess,
) -> None:
    shared_collector.set_faults(delay=0.5, times=1)
    event = track()

    with pytest.raises(httpx.ReadTimeout):
        httpx.post(f"{shared_collector.url}/v1/batch", json=batch(event), auth=AUTH, timeout=0.1)

    # The reason a retry must resend the same messageId: the first try arrives all the same.
    deadline = time.monotonic() + 5
    while not is_stored(shared_collector, event) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert is_stored(shared_collector, event)


def test_reject_event_refuses_only_the_requests_holding_that_event(
    shared_collector: CollectorProcess,
) -> None:
    shared_collector.set_faults(reject_event="Poison Pill")
    bad, neighbour, good = track("Poison Pill"), track(), track()

    refused = post(shared_collector, neighbour, bad)
    accepted = post(shared_collector, good)
    refused_again = post(shared_collector, bad)

    assert refused.status_code == 400
    assert refused.json()["messageIds"] == [bad["messageId"]]
    assert bad["messageId"] in refused.json()["message"]
    assert accepted.status_code == 200
    assert refused_again.status_code == 400
    assert [is_stored(shared_collector, e) for e in (bad, neighbour, good)] == [False, False, True]
    assert shared_collector.requests(limit=3)[-1]["answer"] == refused.json()


def test_invalid_faults_are_refused_and_the_old_ones_stay(
    shared_collector: CollectorProcess,
) -> None:
    shared_collector.set_faults(status=502)

    with pytest.raises(
        ValueError, match=r"Faults not changed: status: .*less than or equal to 599"
    ):
        shared_collector.set_faults(status=999)
    with pytest.raises(ValueError, match=r"Faults not changed: colour: Extra inputs"):
        shared_collector.set_faults(colour="red")

    assert shared_collector.faults()["status"] == 502


def test_faults_can_be_set_when_the_collector_starts() -> None:
    options = ["--fail-status", "500", "--fail-times", "1", "--reject-event", "Poison Pill"]
    with CollectorProcess(None, args=options) as collector:
        assert "faults: status 500, reject event 'Poison Pill', for 1 request(s)" in (
            collector.output()
        )
        assert collector.faults()["times"] == 1

        assert post(collector, track()).status_code == 500
        assert post(collector, track()).status_code == 200
        assert post(collector, track("Poison Pill")).status_code == 200  # all faults were used up


def test_an_impossible_fault_option_stops_the_collector_with_one_line() -> None:
    run = segflow("collector", "--no-store", "--fail-status", "99")

    assert run.returncode == 1
    assert run.stderr.strip().splitlines() == [
        "Error: Collector: --fail-status: Input should be greater than or equal to 200"
    ]
