"""The embed tells segflow who the visitor is: analytics.js's ids from the page's cookies or
localStorage, and Segment's page context, so the web and chat journeys join in Segment."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any
from urllib.parse import quote

from playwright.sync_api import BrowserContext, Page, expect

from tests.embed.chatting import answer, bubble_page, open_bubble
from tests.embed.website import Website
from tests.serve_process import ServeProcess


def test_the_chat_joins_the_analytics_js_visitor_from_its_cookies(
    segflow_server: ServeProcess, website: Website, visitor: BrowserContext
) -> None:
    anonymous_id, user_id = f"anon-{uuid.uuid4()}", f"user-{uuid.uuid4()}"
    # analytics.js writes its cookies URL-encoded and JSON-quoted.
    visitor.add_cookies(
        [
            {
                "name": "ajs_anonymous_id",
                "value": quote(json.dumps(anonymous_id)),
                "url": website.url,
            },
            {"name": "ajs_user_id", "value": quote(json.dumps(user_id)), "url": website.url},
        ]
    )
    page = visitor.new_page()
    url = bubble_page(website, segflow_server, "cookies.html") + "?utm_source=newsletter#offers"
    page.goto(url, referer="https://search.example/?q=garden")
    body, _started = _chat_started(page)

    assert (body["anonymousId"], body["userId"]) == (anonymous_id, user_id)
    assert body["context"]["page"] == {
        "url": url.split("#")[0],
        "path": "/cookies.html",
        "referrer": "https://search.example/?q=garden",
        "title": "Acme shop",
        "search": "?utm_source=newsletter",
    }
    assert body["context"]["userAgent"] == page.evaluate("navigator.userAgent")
    assert body["context"]["locale"] == page.evaluate("navigator.language")
    assert body["context"]["timezone"] == page.evaluate(
        "Intl.DateTimeFormat().resolvedOptions().timeZone"
    )
    assert body["context"]["screen"] == {"width": 1280, "height": 800, "density": 1}

    events = _chat_events(segflow_server, anonymous_id, at_least=3)
    assert {event["anonymous_id"] for event in events} == {anonymous_id}
    started_events = [event for event in events if event["name"] == "Flow Started"]
    assert len(started_events) == 1


def test_the_chat_joins_the_analytics_js_visitor_from_local_storage(
    segflow_server: ServeProcess, website: Website, visitor: BrowserContext
) -> None:
    anonymous_id, user_id = f"anon-{uuid.uuid4()}", f"user-{uuid.uuid4()}"
    page = visitor.new_page()
    page.goto(website.page("setup.html", "<main><h1>Setting up</h1></main>"))
    page.evaluate(
        "([anonymousId, userId]) => {"
        "  localStorage.setItem('ajs_anonymous_id', JSON.stringify(anonymousId));"
        "  localStorage.setItem('ajs_user_id', JSON.stringify(userId));"
        "}",
        [anonymous_id, user_id],
    )
    page.goto(bubble_page(website, segflow_server, "storage.html"))
    body, _started = _chat_started(page)
    assert (body["anonymousId"], body["userId"]) == (anonymous_id, user_id)
    events = _chat_events(segflow_server, anonymous_id, at_least=3)
    assert {event["anonymous_id"] for event in events} == {anonymous_id}


def test_a_page_without_analytics_js_gets_an_anonymous_id_from_segflow(
    segflow_server: ServeProcess, website: Website, visitor: BrowserContext
) -> None:
    page = visitor.new_page()
    page.goto(bubble_page(website, segflow_server, "plain.html"))
    body, started = _chat_started(page)
    assert "anonymousId" not in body and "userId" not in body
    assert started["anonymousId"]  # made up by segflow
    events = _chat_events(segflow_server, started["anonymousId"], at_least=3)
    assert {event["anonymous_id"] for event in events} == {started["anonymousId"]}


def test_segment_messages_carry_the_visitors_user_id_and_page_context(
    segflow_server: ServeProcess, website: Website, visitor: BrowserContext
) -> None:
    """Passes once the server keeps the visitor's context and userId (the visitor branch):
    every Segment message of the chat carries them."""
    anonymous_id, user_id = f"anon-{uuid.uuid4()}", f"user-{uuid.uuid4()}"
    visitor.add_cookies(
        [
            {
                "name": "ajs_anonymous_id",
                "value": quote(json.dumps(anonymous_id)),
                "url": website.url,
            },
            {"name": "ajs_user_id", "value": quote(json.dumps(user_id)), "url": website.url},
        ]
    )
    page = visitor.new_page()
    url = bubble_page(website, segflow_server, "context.html") + "?utm_campaign=spring"
    page.goto(url)
    _chat_started(page)
    user_agent = page.evaluate("navigator.userAgent")

    events = _chat_events(segflow_server, anonymous_id, at_least=3)
    for event in events:
        payload = event["payload"]
        assert payload.get("userId") == user_id, payload
        assert payload["context"]["page"]["url"] == url, payload
        assert payload["context"]["page"]["search"] == "?utm_campaign=spring", payload
        assert payload["context"]["userAgent"] == user_agent, payload


def _chat_started(page: Page) -> tuple[dict[str, Any], dict[str, Any]]:
    """Opens the bubble and answers the first question; the startChat request's body the
    browser sent, and segflow's answer."""
    with page.expect_response(lambda response: response.url.endswith("/startChat")) as started:
        panel = open_bubble(page)
    answer(panel, "Ada")
    expect(panel.get_by_role("log")).to_contain_text("Nice to meet you, Ada!")
    body: dict[str, Any] = started.value.request.post_data_json or {}
    answered: dict[str, Any] = started.value.json()
    return body, answered


def _chat_events(server: ServeProcess, anonymous_id: str, *, at_least: int) -> list[Any]:
    """The collector's events of one visitor, once at least `at_least` arrived (or 15 s)."""
    deadline = time.monotonic() + 15
    while True:
        events = [e for e in server.collector.events() if e["anonymous_id"] == anonymous_id]
        if len(events) >= at_least or time.monotonic() > deadline:
            assert len(events) >= at_least, f"{len(events)} events reached the collector"
            return events
        time.sleep(0.1)
