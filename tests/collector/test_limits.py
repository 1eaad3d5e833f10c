"""Segment's limits, answered as Segment answers them; nothing refused is stored."""

from __future__ import annotations

import gzip
import zlib
from pathlib import Path

import httpx
import orjson
import pytest

from segflow.collector.limits import MAX_BATCH_EVENTS, MAX_BODY_BYTES, MAX_MESSAGE_BYTES
from tests.collector.segment_messages import Message, batch, track
from tests.servers import CollectorProcess

AUTH = ("limits-write-key", "")


def sized_track(size: int) -> Message:
    """A track message whose JSON is exactly `size` bytes."""
    event = track(properties={"padding": ""})
    event["properties"]["padding"] = "x" * (size - len(orjson.dumps(event)))
    assert len(orjson.dumps(event)) == size
    return event


def post_batch(collector: CollectorProcess, *events: Message) -> httpx.Response:
    return httpx.post(f"{collector.url}/v1/batch", json=batch(*events), auth=AUTH)


def stored(collector: CollectorProcess, *events: Message) -> list[str]:
    return [
        event["messageId"]
        for event in events
        if collector.events(message_id=event["messageId"], limit=1)
    ]


def test_a_request_without_a_write_key_is_unauthorized(shared_collector: CollectorProcess) -> None:
    event = track()
    answer = httpx.post(f"{shared_collector.url}/v1/batch", json=batch(event))

    assert answer.status_code == 401
    assert answer.json()["code"] == "no_write_key"
    assert "No write key" in answer.json()["message"]
    assert stored(shared_collector, event) == []
    newest = shared_collector.requests(limit=1)[0]
    assert (newest["status"], newest["auth"], newest["write_key_hint"]) == (401, "none", None)


def test_only_the_allowed_write_keys_get_in() -> None:
    with CollectorProcess(None, write_keys=["allowed-key-1111", "allowed-key-2222"]) as collector:
        url = f"{collector.url}/v1/track"
        wrong = httpx.post(url, json=track(), auth=("someone-elses-key", ""))
        in_body = httpx.post(url, json={**track(), "writeKey": "allowed-key-2222"})
        basic = httpx.post(url, json=track(), auth=("allowed-key-1111", ""))

        assert wrong.status_code == 401
        assert wrong.json() == {
            "success": False,
            "code": "write_key_not_allowed",
            "message": "Write key is not one this collector accepts",
        }
        assert (in_body.status_code, basic.status_code) == (200, 200)
        assert collector.stats() == {"requests": 3, "events": 2}


def test_a_message_of_exactly_32_kb_is_accepted(shared_collector: CollectorProcess) -> None:
    largest = sized_track(MAX_MESSAGE_BYTES)

    assert post_batch(shared_collector, largest).json() == {"success": True}
    assert stored(shared_collector, largest) == [largest["messageId"]]


def test_a_message_over_32_kb_is_refused_with_its_whole_batch(
    shared_collector: CollectorProcess,
) -> None:
    small, large = track(), sized_track(MAX_MESSAGE_BYTES + 1)

    answer = post_batch(shared_collector, small, large)

    assert answer.status_code == 400
    assert answer.json()["code"] == "message_too_large"
    assert answer.json()["message"].startswith(
        f"Message 1 (messageId {large['messageId']!r}) is 32,769 bytes, "
        "over Segment's limit of 32 KB (32,768 bytes) per message"
    )
    assert answer.json()["messageIds"] == [large["messageId"]]
    assert stored(shared_collector, small, large) == []


def test_a_body_over_500_kb_is_refused_even_when_gzip_makes_it_small(
    shared_collector: CollectorProcess,
) -> None:
    events = [sized_track(20_000) for _ in range(MAX_BODY_BYTES // 20_000 + 1)]
    body = orjson.dumps(batch(*events))
    assert len(body) > MAX_BODY_BYTES
    url = f"{shared_collector.url}/v1/batch"

    plain = httpx.post(url, content=body, auth=AUTH)
    zipped = httpx.post(
        url, content=gzip.compress(body), headers={"Content-Encoding": "gzip"}, auth=AUTH
    )

    assert plain.status_code == 400
    assert plain.json() == {
        "success": False,
        "code": "body_too_large",
        "message": f"Request body is {len(body):,} bytes after decompression, over Segment's "
        f"limit of 500 KB ({MAX_BODY_BYTES:,} bytes) per request",
    }
    assert len(gzip.compress(body)) < 10_000
    assert zipped.status_code == 400
    assert "over Segment's limit of 500 KB" in zipped.json()["message"]
    assert stored(shared_collector, *events[:3]) == []


@pytest.mark.parametrize(
    ("body", "headers", "code", "problem"),
    [
        (b'{"batch": [', {}, "invalid_json", "Body is not valid JSON"),
        (b"[]", {}, "not_an_object", "Body must be a JSON object"),
        (b'{"batch": "none"}', {}, "invalid_batch", "needs a 'batch' list of messages"),
        (b'{"batch": [1]}', {}, "invalid_message", "Message 0 of the batch is not a JSON"),
        (b"not gzip at all", {"Content-Encoding": "gzip"}, "invalid_gzip", "but is not gzip"),
    ],
)
def test_a_body_that_is_not_a_batch_is_a_bad_request(
    shared_collector: CollectorProcess,
    body: bytes,
    headers: dict[str, str],
    code: str,
    problem: str,
) -> None:
    answer = httpx.post(
        f"{shared_collector.url}/v1/batch", content=body, headers=headers, auth=AUTH
    )

    assert answer.status_code == 400
    assert (answer.json()["success"], answer.json()["code"]) == (False, code)
    assert problem in answer.json()["message"]
    newest = shared_collector.requests(limit=1)[0]
    assert (newest["status"], newest["answer"]) == (400, answer.json())


def test_a_batch_of_2500_events_is_stored_whole(shared_collector: CollectorProcess) -> None:
    events = [track(properties={"turn": turn}) for turn in range(MAX_BATCH_EVENTS)]

    assert post_batch(shared_collector, *events).json() == {"success": True}
    assert stored(shared_collector, events[0], events[-1]) == [
        events[0]["messageId"],
        events[-1]["messageId"],
    ]


def test_a_batch_over_2500_events_is_answered_200_but_rejected(
    shared_collector: CollectorProcess,
) -> None:
    events = [track(properties={"turn": turn}) for turn in range(MAX_BATCH_EVENTS + 1)]

    answer = post_batch(shared_collector, *events)

    assert answer.status_code == 200
    assert answer.json() == {
        "success": True,
        "code": "too_many_events",
        "message": "Batch has 2,501 events, more than Segment's limit of 2,500 per batch: "
        "none of them were accepted",
        "rejected": 2501,
    }
    assert stored(shared_collector, events[0], events[-1]) == []
    newest = shared_collector.requests(limit=1)[0]
    assert (newest["events"], newest["status"], newest["answer"]) == (2501, 200, answer.json())


def test_a_write_key_holding_a_colon_gets_in_whole_or_split_as_user_and_password(
    tmp_path: Path,
) -> None:
    jitsu_key = "jitsu-key-id:jitsu-secret-9876"
    database = f"sqlite:///{tmp_path / 'collector.db'}"
    with CollectorProcess(database, write_keys=[jitsu_key, "plain-key-0001"]) as collector:
        url = f"{collector.url}/v1/track"
        as_user_name = httpx.post(url, json=track(), auth=(jitsu_key, ""))
        as_user_and_password = httpx.post(
            url, json=track(), auth=("jitsu-key-id", "jitsu-secret-9876")
        )
        key_id_alone = httpx.post(url, json=track(), auth=("jitsu-key-id", ""))
        wrong_secret = httpx.post(url, json=track(), auth=("jitsu-key-id", "jitsu-secret-0000"))
        plain_with_password = httpx.post(url, json=track(), auth=("plain-key-0001", "ignored"))

        statuses = [
            answer.status_code
            for answer in (
                as_user_name,
                as_user_and_password,
                key_id_alone,
                wrong_secret,
                plain_with_password,
            )
        ]
        assert statuses == [200, 200, 401, 401, 200]
        assert key_id_alone.json()["code"] == "write_key_not_allowed"
        hints = [(r["status"], r["write_key_hint"]) for r in reversed(collector.requests())]
        assert hints[:2] == [(200, "9876"), (200, "9876")]
        assert hints[4] == (200, "0001")


def test_a_body_in_an_encoding_the_collector_cannot_read_is_415_naming_gzip_and_identity(
    shared_collector: CollectorProcess,
) -> None:
    event = track()
    body = orjson.dumps(batch(event))
    url = f"{shared_collector.url}/v1/batch"

    deflated = httpx.post(
        url, content=zlib.compress(body), headers={"Content-Encoding": "deflate"}, auth=AUTH
    )

    assert deflated.status_code == 415
    assert deflated.json() == {
        "success": False,
        "code": "unsupported_encoding",
        "message": "Content-Encoding deflate is not supported: send the body with "
        "Content-Encoding gzip or identity (or none)",
    }
    assert deflated.headers["Accept-Encoding"] == "gzip, identity"
    newest = shared_collector.requests(limit=1)[0]
    assert (newest["status"], newest["answer"]) == (415, deflated.json())
    assert stored(shared_collector, event) == []

    plain = httpx.post(url, content=body, headers={"Content-Encoding": "identity"}, auth=AUTH)
    assert plain.json() == {"success": True}
    assert stored(shared_collector, event) == [event["messageId"]]
