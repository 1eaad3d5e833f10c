"""A Typebot bot that looks an order up over HTTP, imported and chatted through against a
real local web server: the request as Typebot sent it, the response in variables, and a
report line for each thing that runs differently."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from segflow.flow import continue_session, parse_flow, start_session
from segflow.importers import FindingKind
from segflow.limits import Limits
from segflow.web_requests import WebRequests
from tests.flow.helpers import said
from tests.importers.helpers import about, block, bot, has_block, imported, text_block
from tests.web_server import WebServer

EXPORT = "order-status.v6.json"


@pytest.fixture
def server() -> Iterator[WebServer]:
    with WebServer() as running:
        running.json = {"status": "shipped", "items": [{"name": "Teapot"}, {"name": "Cup"}]}
        yield running


def test_the_http_request_keeps_url_method_headers_query_mapping_and_timeout() -> None:
    lookup = block(imported(EXPORT).flow, "b-lookup")

    assert lookup == {
        "id": "b-lookup",
        "type": "httpRequest",
        "url": "{{Api}}/json/orders/{{Order}}",
        "method": "GET",
        "headers": [{"key": "Authorization", "value": "Bearer {{Token}}"}],
        "queryParams": [{"key": "lang", "value": "en"}],
        "responseMapping": [
            {"path": "data.status", "variable": "Status"},
            {"path": "data.items[0].name", "variable": "First_item"},
            {"path": "statusCode", "variable": "Code"},
        ],
        "timeout": 5,
    }


def test_the_chat_calls_the_server_and_says_what_came_back(server: WebServer) -> None:
    flow = parse_flow(imported(EXPORT).flow)
    limits = Limits(http_allowed_hosts="127.0.0.1")
    web = WebRequests(limits)
    prefilled = {"Api": server.url(""), "Token": "t0ken"}

    first = start_session(flow, prefilled=prefilled, limits=limits, http=web)
    turn = continue_session(flow, first.state, "A-17", limits=limits, http=web)

    assert said(turn) == ["Order A-17 is shipped (Teapot, 200)", "Thanks!"]
    lookup, notify = server.requests
    assert (lookup["method"], lookup["path"], lookup["query"]) == (
        "GET",
        "/json/orders/A-17",
        {"lang": ["en"]},
    )
    assert lookup["headers"]["authorization"] == "Bearer t0ken"
    assert notify["method"] == "POST"
    assert json.loads(notify["body"])["Order"] == "A-17"  # the chat's variables


def test_what_runs_differently_is_in_the_report() -> None:
    result = imported(EXPORT)

    [mapping] = about(result, "b-lookup")
    assert mapping.kind is FindingKind.UNSUPPORTED
    assert "data.items.map(i => i.name)" in mapping.message
    notes = " ".join(finding.message for finding in about(result, "b-notify"))
    assert "segflow sends the chat's variables as one JSON object" in notes
    assert "from the visitor's browser; segflow sends it from the server" in notes
    assert not has_block(result.flow, "b-make")
    assert "has no URL" in about(result, "b-make")[0].message
    typebot = " ".join(finding.message for finding in about(result, "b-typebot"))
    assert "it calls Typebot itself (typebot.io)" in typebot


def test_a_request_kept_outside_an_older_export_is_named_in_the_report() -> None:
    hook = {"id": "b-old", "type": "Webhook", "webhookId": "wh-1", "options": {}}
    result = imported(bot({"id": "g-a", "title": "A", "blocks": [hook, text_block("b-t", "Hi")]}))

    assert not has_block(result.flow, "b-old")
    [finding] = about(result, "b-old")
    assert finding.kind is FindingKind.SETUP
    assert "is not in the export: add an HTTP request block with its URL" in finding.message


@pytest.mark.parametrize(
    ("url", "said"),
    [
        ("http://localhost:8080/hook", "it calls localhost, a local address segflow refuses"),
        ("http://10.0.0.7/hook", "it calls 10.0.0.7, a local address"),
        ("https://crm.internal/api", "it calls crm.internal, a local address"),
    ],
)
def test_a_request_to_a_local_address_says_which_setting_allows_it(url: str, said: str) -> None:
    hook = {"id": "b-local", "type": "Webhook", "options": {"webhook": {"url": url}}}

    result = imported(bot({"id": "g-a", "title": "A", "blocks": [hook]}))

    notes = [f.message for f in about(result, "b-local") if f.kind is FindingKind.SETUP]
    assert any(said in note and "SEGFLOW_HTTP_ALLOWED_HOSTS" in note for note in notes)
