"""Segment's official Python library sends to the collector as it would to Segment."""

from __future__ import annotations

from typing import Any

from segment.analytics import Client

from tests.servers import CollectorProcess


def test_the_official_client_delivers_every_message_type(collector: CollectorProcess) -> None:
    errors: list[Any] = []
    client = Client(
        "official-client-key",
        host=collector.url,
        on_error=lambda error, batch: errors.append(error),
        max_retries=0,
        upload_interval=0.05,
    )
    client.identify("user-1", {"email": "ada@example.com"})
    client.track("user-1", "Order Completed", {"total": 42.5})
    client.page("user-1", "Docs", "Getting Started", {"path": "/docs"})
    client.screen("user-1", "Onboarding", "Welcome")
    client.group("user-1", "acme", {"plan": "enterprise"})
    client.alias("anon-1", "user-1")
    client.flush()
    client.shutdown()

    assert errors == []
    events = list(reversed(collector.events()))
    assert [(e["type"], e["name"], e["user_id"]) for e in events] == [
        ("identify", None, "user-1"),
        ("track", "Order Completed", "user-1"),
        ("page", "Getting Started", "user-1"),
        ("screen", "Welcome", "user-1"),
        ("group", None, "user-1"),
        ("alias", None, "user-1"),
    ]
    identify, track, page, _screen, group, alias = (e["payload"] for e in events)
    assert identify["traits"] == {"email": "ada@example.com"}
    assert track["properties"] == {"total": 42.5}
    assert page["properties"] == {"path": "/docs"}
    assert group["groupId"] == "acme"
    assert alias["previousId"] == "anon-1"
    assert track["context"]["library"]["name"] == "analytics-python"
    assert all(e["payload"]["sentAt"] for e in events)
    assert all(e["message_id"] == e["payload"]["messageId"] for e in events)
    assert {(r["path"], r["auth"], r["status"]) for r in collector.requests()} == {
        ("/v1/batch", "basic", 200)
    }
