"""What the collector stores and lists, on SQLite and on PostgreSQL."""

from __future__ import annotations

import gzip

import httpx
import orjson

from tests.collector.segment_messages import Message, batch, message, track
from tests.servers import CollectorProcess

WRITE_KEY = "test-write-key-0001-wxyz"


def test_a_batch_is_stored_event_by_event_and_listed_newest_first(
    collector: CollectorProcess,
) -> None:
    identify = message("identify", userId="user-1", traits={"email": "ada@example.com"})
    signed_up = track("Signed Up", properties={"plan": "pro"})
    home = message("page", name="Home", anonymousId="anon-7", properties={"path": "/"})
    body = orjson.dumps(batch(identify, signed_up, home, sent_at="2026-01-02T03:04:06.123Z"))

    answer = httpx.post(f"{collector.url}/v1/batch", content=body, auth=(WRITE_KEY, ""))

    assert answer.status_code == 200
    assert answer.json() == {"success": True}
    events = collector.events()
    assert [e["message_id"] for e in events] == [
        home["messageId"],
        signed_up["messageId"],
        identify["messageId"],
    ]
    page, tracked, identified = events
    assert (page["type"], page["name"], page["user_id"], page["anonymous_id"]) == (
        "page",
        "Home",
        None,
        "anon-7",
    )
    assert (tracked["type"], tracked["name"], tracked["user_id"]) == (
        "track",
        "Signed Up",
        "user-1",
    )
    assert identified["payload"]["traits"] == {"email": "ada@example.com"}
    # Each payload is the message as sent, with the batch's sentAt and the collector's receivedAt.
    assert tracked["payload"]["sentAt"] == "2026-01-02T03:04:06.123Z"
    assert tracked["payload"]["properties"] == {"plan": "pro"}
    assert tracked["payload"]["receivedAt"].endswith("Z")
    assert tracked["write_key_hint"] == "wxyz"

    [request] = collector.requests()
    assert request["path"] == "/v1/batch"
    assert request["auth"] == "basic"
    assert request["write_key_hint"] == "wxyz"
    assert request["gzip"] is False
    assert request["body_bytes"] == len(body)
    assert request["events"] == 3
    assert request["status"] == 200
    assert request["answer"] == {"success": True}
    assert request["received_at"] == tracked["received_at"]
    assert collector.stats() == {"requests": 1, "events": 3}

    assert collector.events(type="page") == [page]
    assert collector.events(message_id=signed_up["messageId"]) == [tracked]
    assert collector.events(limit=1) == [page]
    assert collector.event(tracked["id"]) == tracked
    missing = httpx.get(f"{collector.url}/events/999999")
    assert missing.status_code == 404
    assert missing.json()["message"] == "No collected event has id 999999"


def test_every_single_message_endpoint_stores_its_own_type(collector: CollectorProcess) -> None:
    bodies: dict[str, Message] = {
        "identify": {"userId": "user-1", "traits": {"plan": "pro"}},
        "track": {"userId": "user-1", "event": "Order Completed"},
        "page": {"anonymousId": "anon-1", "name": "Pricing"},
        "screen": {"userId": "user-1", "name": "Settings"},
        "group": {"userId": "user-1", "groupId": "acme"},
        "alias": {"previousId": "anon-1", "userId": "user-1"},
    }
    for endpoint, body in bodies.items():
        sent = message("track", writeKey=WRITE_KEY, **body)  # the path's type wins
        answer = httpx.post(f"{collector.url}/v1/{endpoint}", json=sent)
        assert answer.status_code == 200, answer.text

    events = collector.events()
    assert [(e["type"], e["name"]) for e in reversed(events)] == [
        ("identify", None),
        ("track", "Order Completed"),
        ("page", "Pricing"),
        ("screen", "Settings"),
        ("group", None),
        ("alias", None),
    ]
    assert all("writeKey" not in e["payload"] for e in events)
    assert {(r["path"], r["auth"], r["write_key_hint"]) for r in collector.requests()} == {
        (f"/v1/{endpoint}", "body", "wxyz") for endpoint in bodies
    }


def test_a_gzipped_batch_is_stored_and_recorded_with_its_unzipped_size(
    collector: CollectorProcess,
) -> None:
    events = [track(properties={"turn": turn}) for turn in range(50)]
    body = orjson.dumps(batch(*events))

    answer = httpx.post(
        f"{collector.url}/v1/batch",
        content=gzip.compress(body),
        headers={"Content-Encoding": "gzip", "Content-Type": "application/json"},
        auth=(WRITE_KEY, ""),
    )

    assert answer.json() == {"success": True}
    stored = collector.events()
    assert [e["payload"]["properties"]["turn"] for e in reversed(stored)] == list(range(50))
    [request] = collector.requests()
    assert (request["gzip"], request["body_bytes"], request["events"]) == (True, len(body), 50)


def test_a_message_keeps_its_own_sent_at_and_takes_the_batch_s_when_it_has_none(
    shared_collector: CollectorProcess,
) -> None:
    own = track(sentAt="2026-01-02T03:04:05.900Z")
    without = track()
    body = batch(own, without, sent_at="2026-01-02T03:04:07.000Z")

    answer = httpx.post(f"{shared_collector.url}/v1/batch", json=body, auth=(WRITE_KEY, ""))

    assert answer.json() == {"success": True}
    sent_at = {
        event["message_id"]: event["payload"]["sentAt"]
        for event in shared_collector.events(limit=10)
    }
    assert sent_at[own["messageId"]] == "2026-01-02T03:04:05.900Z"
    assert sent_at[without["messageId"]] == "2026-01-02T03:04:07.000Z"


def test_a_wrong_method_is_answered_405_naming_the_one_to_use(
    shared_collector: CollectorProcess,
) -> None:
    answer = httpx.get(f"{shared_collector.url}/v1/batch")

    assert answer.status_code == 405
    assert answer.json() == {
        "success": False,
        "code": "method_not_allowed",
        "message": "/v1/batch does not take GET; use POST",
    }
    assert answer.headers["Allow"] == "POST"


def test_an_unknown_path_is_answered_404_naming_the_endpoints(
    shared_collector: CollectorProcess,
) -> None:
    unknown = httpx.post(f"{shared_collector.url}/v1/trak", json=track(), auth=(WRITE_KEY, ""))
    nowhere = httpx.get(f"{shared_collector.url}/nowhere")

    assert (unknown.status_code, unknown.json()) == (
        404,
        {
            "success": False,
            "code": "unknown_endpoint",
            "message": "No such endpoint /v1/trak; use one of batch, identify, track, page, "
            "screen, group, alias (or analytics.js's b, i, t, p, s, g, a)",
        },
    )
    assert (nowhere.status_code, nowhere.json()["code"]) == (404, "not_found")
