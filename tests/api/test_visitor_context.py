"""What the website tells about the visitor reaches Segment with every message of the chat:
through the real chat API (`segflow serve`), its built-in collector, SQLite and PostgreSQL."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, select

from segflow.store.db import normalise_url
from segflow.store.tables import chat_sessions, outbox
from tests.api.chats import START, WITH_TRIAL_SIGNUP, answer
from tests.serve_process import ServeProcess

PAGE = {
    "url": "https://shop.example/pricing?plan=pro",
    "path": "/pricing",
    "referrer": "https://news.example/article",
    "title": "Pricing | Shop",
    "search": "?plan=pro",
}
CONTEXT = {
    "page": PAGE,
    "userAgent": "Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0",
    "locale": "fr-CH",
    "timezone": "Europe/Zurich",
    "screen": {"width": 1440, "height": 900, "density": 2},
}
VISITOR_IP = "203.0.113.7"  # the visitor behind a proxy on 127.0.0.1, which uvicorn trusts
FROM_VISITOR = {"X-Forwarded-For": VISITOR_IP}


def chat_through(server: ServeProcess, headers: dict[str, str], **body: Any) -> dict[str, Any]:
    """A whole chat on trial-signup: name, email (Identify User), plan Free (Track Event)."""
    response = server.api.post(START, json=body, headers=headers)
    assert response.status_code == 200, response.text
    chat: dict[str, Any] = response.json()
    for reply in ("Ada", "ada@example.com", "Free"):
        answer(server, chat["sessionId"], reply)
    return chat


def messages_of(server: ServeProcess, chat: dict[str, Any], count: int) -> list[dict[str, Any]]:
    """The chat's messages as the collector received them, once `count` arrived (or 15 s)."""
    deadline = time.monotonic() + 15
    while True:
        payloads = [event["payload"] for event in server.collector.events()]
        mine = [p for p in payloads if p.get("anonymousId") == chat["anonymousId"]]
        if len(mine) >= count or time.monotonic() > deadline:
            return mine
        time.sleep(0.05)


def test_every_message_of_a_chat_carries_the_page_browser_ip_and_user_it_started_with(
    server: ServeProcess,
) -> None:
    chat = chat_through(server, FROM_VISITOR, context=CONTEXT, userId="user-42")

    messages = messages_of(server, chat, 8)
    outline = [(m["type"], m.get("event") or m.get("name"), m.get("userId")) for m in messages]
    assert outline == [
        ("track", "Flow Started", "user-42"),
        ("page", "Hello", "user-42"),
        ("page", "Email", "user-42"),
        ("identify", None, "ada@example.com"),  # the block's User ID, and the chat's from now
        ("page", "Plan", "ada@example.com"),
        ("page", "Done", "ada@example.com"),
        ("track", "Trial Started", "ada@example.com"),
        ("track", "Flow Completed", "ada@example.com"),
    ]
    for message in messages:
        context = message["context"]
        assert {key: context.get(key) for key in CONTEXT} == CONTEXT, message["type"]
        assert context["ip"] == VISITOR_IP
        assert context["library"]["name"] == "segflow"
    for page_view in (m for m in messages if m["type"] == "page"):
        assert page_view["category"] == "Trial signup"
        assert {key: page_view["properties"][key] for key in PAGE} == PAGE  # as analytics.js


def test_with_send_ip_false_no_ip_is_sent_nor_stored(database_url: str, tmp_path: Path) -> None:
    no_ip = {"SEGFLOW_SEND_IP": "false"}
    with ServeProcess(
        database_url, tmp_path / "home", args=WITH_TRIAL_SIGNUP, environment=no_ip
    ) as server:
        given_ip = {**CONTEXT, "ip": "198.51.100.9"}  # even one the page sends itself
        chat = chat_through(server, FROM_VISITOR, context=given_ip)
        messages = messages_of(server, chat, 8)

    assert len(messages) == 8
    for message in messages:
        assert "ip" not in message["context"]
        assert message["context"]["userAgent"] == CONTEXT["userAgent"]
    engine = create_engine(normalise_url(database_url))
    with engine.connect() as connection:
        stored = [*connection.execute(select(chat_sessions)), *connection.execute(select(outbox))]
    engine.dispose()
    assert stored
    for row in stored:
        text = repr(tuple(row))
        assert VISITOR_IP not in text and "198.51.100.9" not in text
        assert "Firefox/133.0" in text  # the rest of the visitor is there


def test_headers_alone_tell_the_browser_language_page_and_ip(
    shared_server: ServeProcess,
) -> None:
    headers = {
        "User-Agent": "Mozilla/5.0 (iPhone) Safari/605.1",
        "Accept-Language": "de;q=0.5, pt-BR, en;q=0.8, *;q=0.1",
        "Referer": "https://shop.example/checkout?step=2",
    }
    chat = chat_through(shared_server, headers)

    first = messages_of(shared_server, chat, 1)[0]
    assert first["context"]["userAgent"] == headers["User-Agent"]
    assert first["context"]["locale"] == "pt-BR"
    assert first["context"]["page"] == {
        "url": "https://shop.example/checkout?step=2",
        "path": "/checkout",
        "search": "?step=2",
    }
    assert first["context"]["ip"] == "127.0.0.1"
    assert "userId" not in first


def test_an_overlong_or_odd_header_is_cut_or_left_out_never_refused(
    shared_server: ServeProcess,
) -> None:
    headers = {
        "User-Agent": "Agent/" + "x" * 3_000,
        "Accept-Language": "*, ;q=, en-US;q=abc, 12345",
        "Origin": "null",  # a sandboxed page
    }
    chat = chat_through(shared_server, headers)

    context = messages_of(shared_server, chat, 1)[0]["context"]
    assert context["userAgent"] == headers["User-Agent"][:1_000]
    assert "locale" not in context and "page" not in context


def test_the_page_s_own_context_wins_over_headers(
    shared_server: ServeProcess,
) -> None:
    headers = {
        "User-Agent": "Header-Agent/1.0",
        "Accept-Language": "en-GB",
        "Referer": "https://bots.example/embed/frame",
        # A chat in an iframe: Typebot's embed says which site's page holds the frame.
        "x-typebot-iframe-referrer-origin": "https://shop.example",
    }
    told = {"page": {"title": "Shop"}, "locale": "it-IT", "timezone": "Europe/Rome"}
    response = shared_server.api.post(START, json={"context": told}, headers=headers)
    assert response.status_code == 200, response.text
    chat = response.json()

    context = messages_of(shared_server, chat, 1)[0]["context"]
    assert context["page"] == {"url": "https://shop.example", "title": "Shop"}
    assert (context["locale"], context["timezone"]) == ("it-IT", "Europe/Rome")
    assert context["userAgent"] == "Header-Agent/1.0"

    located = {"page": {"url": "https://shop.example/cart", "title": "Cart"}}
    referred = {"Referer": "https://bots.example/embed/frame?theme=dark"}
    response = shared_server.api.post(START, json={"context": located}, headers=referred)
    elsewhere = messages_of(shared_server, response.json(), 1)[0]["context"]
    assert elsewhere["page"] == located["page"]  # no path or search of another page mixed in
