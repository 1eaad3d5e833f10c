"""A process remembers the chats it saved: an answer to one of them is not read first, and is
still answered on the chat as saved when another process answered it meanwhile."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
import pytest
from sqlalchemy import event

from segflow.chat import Chats, ChatSessionNotFoundError
from segflow.chat.recent import RecentChats
from segflow.chat.results import delete_chats_before
from segflow.limits import Limits
from segflow.service import Segflow
from segflow.settings import Settings
from tests.flow.helpers import said
from tests.flow.test_chat_service import lead_capture
from tests.servers import CollectorProcess
from tests.web_server import WebServer


@pytest.fixture
def chat_statements(segflow: Segflow, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The statements on chats' rows, as the database driver is given them: "read" (a chat's
    row) or "save" (an answer's turn)."""
    statements: list[str] = []

    def seen(sql: str) -> None:
        if sql.lstrip().upper().startswith("SELECT") and "FROM chat_sessions" in sql:
            statements.append("read")
        elif "UPDATE chat_sessions" in sql:
            statements.append("save")

    if segflow.database.is_postgresql:

        class Watched(psycopg.RawCursor):
            def execute(self, query: Any, *args: Any, **keywords: Any) -> Any:
                seen(str(query))
                return super().execute(query, *args, **keywords)

        monkeypatch.setattr(psycopg, "RawCursor", Watched)
    else:

        def watch(driver: sqlite3.Connection, *_: Any) -> None:
            driver.set_trace_callback(seen)

        event.listen(segflow.database.engine, "checkout", watch)
    return statements


def test_answers_to_a_chat_this_process_saved_read_nothing_before_saving(
    chats: Chats, chat_statements: list[str]
) -> None:
    first = chats.start_chat(lead_capture(chats))
    chat_statements.clear()

    turns = [chats.continue_chat(first.session.id, a) for a in ("Ada", "ada@example.com")]

    assert chat_statements == ["save", "save"]
    assert said(turns[0]) == ["Nice to meet you, Ada! What's your work email?"]
    assert said(turns[1]) == ["Which plan are you interested in?"]
    assert chats.get_session(first.session.id).variables["email"] == "ada@example.com"


def test_an_answer_after_another_process_answered_goes_to_the_chat_as_saved(
    chats: Chats, segflow: Segflow
) -> None:
    first = chats.start_chat(lead_capture(chats))
    Chats(segflow).continue_chat(first.session.id, "Grace")  # another API process

    turn = chats.continue_chat(first.session.id, "grace@example.com")

    session = chats.get_session(first.session.id)
    assert (session.variables["name"], session.variables["email"]) == (
        "Grace",
        "grace@example.com",
    )
    assert said(turn) == ["Which plan are you interested in?"]
    assert [q.message.type for q in turn.queued] == ["identify", "page"]


def test_an_answer_to_a_remembered_chat_that_retention_deleted_finds_no_chat(
    chats: Chats, segflow: Segflow
) -> None:
    first = chats.start_chat(lead_capture(chats))
    assert delete_chats_before(segflow.database, time.time() + 1, limit=100) == 1

    with pytest.raises(ChatSessionNotFoundError):
        chats.continue_chat(first.session.id, "Ada")


def test_a_process_whose_chats_are_answered_elsewhere_reads_them_first(
    chats: Chats, segflow: Segflow, chat_statements: list[str]
) -> None:
    """Two API processes that take a chat's answers in turn: after a few answers each reads
    its chats before answering, rather than running each answer twice."""
    flow_id = lead_capture(chats)
    other = Chats(segflow)
    started = [chats.start_chat(flow_id).session.id for _ in range(6)]
    for chat in started:
        other.continue_chat(chat, "Grace")

    chat_statements.clear()

    for chat in started:
        chats.continue_chat(chat, "grace@example.com")

    # The first two answers ran on what this process remembered: their saves failed, and they
    # ran again on the chat as read. Then it reads each chat before answering.
    assert chat_statements == ["save", "read", "save"] * 2 + ["read", "save"] * 4
    emails = {chats.get_session(chat).variables["email"] for chat in started}
    assert emails == {"grace@example.com"}


def test_a_web_service_is_called_once_on_the_chat_as_saved(
    home: Any, database_url: str, collector: CollectorProcess
) -> None:
    """An answer to a remembered chat that another process answered meanwhile: the flow's HTTP
    request blocks are called as the chat as saved goes on, each once."""
    settings = Settings(
        database_url=database_url,
        collector_url=collector.url,
        limits=Limits(http_allowed_hosts="127.0.0.1"),
    )
    with WebServer() as server, _opened(settings) as segflow:
        chats = Chats(segflow)
        flow = chats.flows.save(_asks_then_calls(server.url("/echo")))
        chats.flows.publish(flow.id)
        first = chats.start_chat(flow.id)
        Chats(segflow).continue_chat(first.session.id, "Grace")

        turn = chats.continue_chat(first.session.id, "grace@example.com")

    assert [request["query"] for request in server.requests] == [
        {"name": ["Grace"]},  # by the other process
        {"email": ["grace@example.com"]},
    ]
    assert said(turn) == ["Sent"]


@contextmanager
def _opened(settings: Settings) -> Iterator[Segflow]:
    segflow = Segflow.open(settings)
    try:
        yield segflow
    finally:
        segflow.close()


def _asks_then_calls(url: str) -> dict[str, Any]:
    return {
        "name": "Asks then calls",
        "variables": [{"name": "name"}, {"name": "email"}],
        "groups": [
            {
                "id": "main",
                "title": "Main",
                "blocks": [
                    {"id": "ask-name", "type": "textInput", "variable": "name"},
                    {"id": "send-name", "type": "httpRequest", "url": url + "?name={{name}}"},
                    {"id": "ask-email", "type": "textInput", "variable": "email"},
                    {"id": "send-email", "type": "httpRequest", "url": url + "?email={{email}}"},
                    {"id": "sent", "type": "text", "text": "Sent"},
                ],
            }
        ],
    }


def test_a_process_trusts_its_memory_again_once_chats_keep_to_it() -> None:
    recent: RecentChats[str] = RecentChats()
    for chat in ("a", "b"):  # answered elsewhere meanwhile
        recent.keep(chat, f"{chat} as saved here", size=100)
        recent.found(stale=True)
    recent.keep("c", "c as saved here", size=100)
    assert recent.take("c") == ("c as saved here", False)  # compared with the chat as read

    for _ in range(100):  # chats read and found as this process saved them
        recent.found(stale=False)
    recent.keep("c", "c as saved here", size=100)

    assert recent.take("c") == ("c as saved here", True)
    assert recent.take("c") == (None, False)  # taken until kept again


def test_the_least_recently_answered_chats_are_forgotten_beyond_the_budget() -> None:
    recent: RecentChats[str] = RecentChats(budget_bytes=1000)
    for chat in ("a", "b", "c"):
        recent.keep(chat, chat, size=400)
    recent.keep("big", "big", size=1001)  # more than the whole budget: not kept

    assert [recent.take(chat)[0] for chat in ("a", "b", "c", "big")] == [None, "b", "c", None]
