"""Browser analytics.js sending to the collector: its short paths, text/plain bodies with the
writeKey inside, and CORS for any website; no website may read back what was stored."""

from __future__ import annotations

from typing import Any

import httpx
import orjson
from playwright.sync_api import Browser

from tests.collector.segment_messages import batch, message, track
from tests.servers import CollectorProcess
from tests.web_server import WebServer

WRITE_KEY = "browser-write-key-5678"
SHOP = "https://shop.example"
TEXT_PLAIN = {"Content-Type": "text/plain"}  # what analytics.js sends, so it needs no preflight


def test_each_short_path_stores_its_own_type(shared_collector: CollectorProcess) -> None:
    sent = {
        "t": message("track", event="Product Viewed", anonymousId="anon-1"),
        "i": message("identify", userId="user-1"),
        "p": message("page", name="Pricing", anonymousId="anon-1"),
        "s": message("screen", name="Settings", userId="user-1"),
        "g": message("group", groupId="acme", userId="user-1"),
        "a": message("alias", previousId="anon-1", userId="user-1"),
    }
    for path, body in sent.items():
        content = orjson.dumps({**body, "writeKey": WRITE_KEY})
        answer = httpx.post(
            f"{shared_collector.url}/v1/{path}", content=content, headers=TEXT_PLAIN
        )
        assert (answer.status_code, answer.json()) == (200, {"success": True}), path
    in_batch = track("Checkout Started")
    content = orjson.dumps({**batch(in_batch), "writeKey": WRITE_KEY})
    batched = httpx.post(f"{shared_collector.url}/v1/b", content=content, headers=TEXT_PLAIN)
    assert batched.json() == {"success": True}

    types = {event["message_id"]: event["type"] for event in shared_collector.events(limit=20)}
    assert [types[body["messageId"]] for body in sent.values()] == [
        "track",
        "identify",
        "page",
        "screen",
        "group",
        "alias",
    ]
    assert types[in_batch["messageId"]] == "track"
    paths = [(r["path"], r["auth"], r["status"]) for r in shared_collector.requests(limit=7)]
    assert paths == [("/v1/b", "body", 200)] + [
        (f"/v1/{path}", "body", 200) for path in reversed(sent)
    ]


def test_analytics_js_s_own_metrics_are_answered_and_not_stored(
    shared_collector: CollectorProcess,
) -> None:
    before = shared_collector.stats()
    metrics = {"series": [{"type": "Counter", "metric": "analytics_js.invoke", "value": 1}]}

    answer = httpx.post(
        f"{shared_collector.url}/v1/m", content=orjson.dumps(metrics), headers=TEXT_PLAIN
    )

    assert (answer.status_code, answer.json()) == (200, {"success": True})
    assert shared_collector.stats() == before


def test_any_origin_may_send_but_no_origin_may_read_back(
    shared_collector: CollectorProcess,
) -> None:
    preflight = httpx.options(
        f"{shared_collector.url}/v1/batch",
        headers={
            "Origin": SHOP,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type, authorization, content-encoding",
        },
    )
    assert preflight.status_code == 200
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
    allowed = preflight.headers["Access-Control-Allow-Headers"].lower()
    assert {"content-type", "authorization", "content-encoding"} <= set(allowed.split(", "))

    sent = httpx.post(
        f"{shared_collector.url}/v1/t",
        content=orjson.dumps({**track(), "writeKey": WRITE_KEY}),
        headers={**TEXT_PLAIN, "Origin": SHOP},
    )
    assert sent.headers["Access-Control-Allow-Origin"] == "*"

    for path in ("/events", "/requests", "/faults"):
        read = httpx.get(f"{shared_collector.url}{path}", headers={"Origin": SHOP})
        assert "Access-Control-Allow-Origin" not in read.headers, path


def test_a_website_sends_events_as_analytics_js_does(
    browser: Browser, shared_collector: CollectorProcess
) -> None:
    page = browser.new_page()
    with WebServer() as shop:  # a website on this machine, on another origin than the collector
        page.goto(shop.url("/json", host="localhost"))
    tracked = {**track("Product Viewed"), "writeKey": WRITE_KEY}
    identified = message("identify", userId="user-1")
    answers: dict[str, Any] = page.evaluate(
        """async ({url, tracked, identified, key}) => {
            // analytics.js: a text/plain body holding the writeKey (no preflight)
            const simple = await fetch(`${url}/v1/t`, {
                method: "POST", headers: {"Content-Type": "text/plain"},
                body: JSON.stringify(tracked), keepalive: true});
            // a JSON body with Basic auth: the browser asks first (preflight)
            const preflighted = await fetch(`${url}/v1/batch`, {
                method: "POST",
                headers: {"Content-Type": "application/json",
                          "Authorization": "Basic " + btoa(key + ":")},
                body: JSON.stringify({batch: [identified]})});
            let readBack;
            try { await fetch(`${url}/events`); readBack = "read"; }
            catch (error) { readBack = "blocked"; }
            return {simple: await simple.json(), preflighted: await preflighted.json(),
                    readBack};
        }""",
        {
            "url": shared_collector.url,
            "tracked": tracked,
            "identified": identified,
            "key": WRITE_KEY,
        },
    )
    page.close()

    assert answers == {
        "simple": {"success": True},
        "preflighted": {"success": True},
        "readBack": "blocked",
    }
    for sent in (tracked, identified):
        [stored] = shared_collector.events(message_id=sent["messageId"])
        assert stored["write_key_hint"] == "5678"
