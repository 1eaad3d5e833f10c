"""The HTTP request block, run by the engine against a real local web server."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest

from segflow.flow import Flow, FlowError, Turn, parse_flow, start_session
from segflow.limits import Limits
from segflow.web_requests import WebRequests
from tests.conftest import free_port
from tests.flow.helpers import said
from tests.web_server import WebServer

LOCAL = Limits(http_allowed_hosts="127.0.0.1")


@pytest.fixture
def server() -> Iterator[WebServer]:
    with WebServer() as running:
        yield running


def calling(request: dict[str, Any], *, then: str = "Done", **document: Any) -> Flow:
    """A flow whose first group calls `request`, then says `then`; its failure exit (if the
    request has `failure: failed`) says "It failed"."""
    return parse_flow(
        {
            "name": "Calls",
            "variables": [{"name": name} for name in ("name", "token", "id", "status", "first")],
            "groups": [
                {
                    "id": "main",
                    "title": "Main",
                    "blocks": [
                        {"id": "call", "type": "httpRequest", **request},
                        {"id": "after", "type": "text", "text": then},
                    ],
                },
                {
                    "id": "failed",
                    "title": "Failed",
                    "blocks": [{"id": "sorry", "type": "text", "text": "It failed"}],
                },
            ],
            **document,
        }
    )


def run(flow: Flow, limits: Limits = LOCAL, **start: Any) -> Turn:
    return start_session(flow, limits=limits, http=WebRequests(limits), **start)


def test_response_fields_go_into_variables_with_their_json_types(server: WebServer) -> None:
    server.json = {"user": {"id": 42, "name": "Ada"}, "items": [{"tags": ["a", "b"]}]}
    flow = calling(
        {
            "url": server.url("/json"),
            "responseMapping": [
                {"path": "data.user.id", "variable": "id"},
                {"path": "data.user.name", "variable": "name"},
                {"path": "data.items[0].tags", "variable": "first"},
                {"path": "statusCode", "variable": "status"},
            ],
        },
        then="Hello {{name}} ({{id}})",
    )

    turn = run(flow)

    assert said(turn) == ["Hello Ada (42)"]
    variables = turn.state.variables
    assert (variables["id"], variables["first"], variables["status"]) == (42, ["a", "b"], 200)
    [log] = turn.logs
    assert log.status == "info" and log.block == "call"
    # the path and query, which often hold keys, stay out of the logs
    assert log.description.startswith(f"HTTP request GET {server.url('/…')}: status 200 in ")


def test_url_query_headers_and_json_body_are_filled_in(server: WebServer) -> None:
    flow = calling(
        {
            "url": server.url("/echo?from={{name}}"),
            "method": "POST",
            "headers": [
                {"key": "Authorization", "value": "Bearer {{token}}"},
                {"key": "X-Empty", "value": "{{status}}"},  # fills in empty: left out
            ],
            "queryParams": [{"key": "who", "value": "{{name}}"}],
            "body": '{"name": "{{name}}", "count": {{id}}, "tags": {{first}}}',
            "responseMapping": [{"path": "data", "variable": "first"}],
        }
    )

    prefilled = {"name": 'Ada "the first"', "token": "s3cret", "id": 3, "first": ["x"]}
    turn = run(flow, prefilled=prefilled)

    [seen] = server.requests
    assert seen["method"] == "POST"
    assert seen["query"] == {"from": ['Ada "the first"'], "who": ['Ada "the first"']}
    assert seen["headers"]["authorization"] == "Bearer s3cret"
    assert "x-empty" not in seen["headers"]
    assert seen["headers"]["content-type"] == "application/json"
    assert json.loads(seen["body"]) == {"name": 'Ada "the first"', "count": 3, "tags": ["x"]}
    assert "s3cret" not in str(turn.logs)  # headers never reach the logs
    assert turn.state.variables["first"] == {**seen, "query": seen["query"]}


def test_the_chats_variables_can_be_sent_as_the_body(server: WebServer) -> None:
    flow = calling({"url": server.url("/echo"), "method": "POST", "sendVariables": True})

    run(flow, prefilled={"name": "Ada", "id": 7})

    [seen] = server.requests
    assert json.loads(seen["body"]) == {
        "name": "Ada",
        "token": None,
        "id": 7,
        "status": None,
        "first": None,
    }


def test_a_status_of_400_or_more_takes_the_failure_exit_after_mapping(server: WebServer) -> None:
    server.status, server.json = 500, {"message": "down"}
    flow = calling(
        {
            "url": server.url("/json"),
            "failure": "failed",
            "responseMapping": [
                {"path": "statusCode", "variable": "status"},
                {"path": "data.message", "variable": "name"},
            ],
        }
    )

    turn = run(flow)

    assert said(turn) == ["It failed"]
    assert (turn.state.variables["status"], turn.state.variables["name"]) == (500, "down")
    assert "status 500" in turn.logs[0].description
    assert "takes the failure exit" in turn.logs[0].description


def test_without_a_failure_exit_a_failed_request_warns_and_the_chat_goes_on(
    server: WebServer,
) -> None:
    flow = calling({"url": server.url("/missing")})

    turn = run(flow)

    assert said(turn) == ["Done"]
    [log] = turn.logs
    assert log.status == "warning" and log.block == "call"
    assert "status 404" in log.description and "has no failure exit" in log.description


def test_a_request_that_times_out_takes_the_failure_exit(server: WebServer) -> None:
    flow = calling({"url": server.url("/slow?seconds=3"), "timeout": 0.5, "failure": "failed"})

    turn = run(flow)

    assert said(turn) == ["It failed"]
    assert "no response within 0.5 seconds" in turn.logs[0].description


def test_the_timeout_setting_caps_the_blocks_timeout(server: WebServer) -> None:
    flow = calling({"url": server.url("/slow?seconds=3"), "timeout": 60, "failure": "failed"})

    turn = run(flow, limits=Limits(http_allowed_hosts="127.0.0.1", http_timeout_seconds=0.5))

    assert said(turn) == ["It failed"]
    warning, failure = turn.logs
    assert "http_timeout_seconds setting allows: it waits 0.5 seconds" in warning.description
    assert "no response within 0.5 seconds" in failure.description


def test_a_refused_connection_takes_the_failure_exit() -> None:
    flow = calling({"url": f"http://127.0.0.1:{free_port()}/", "failure": "failed"})

    turn = run(flow)

    assert said(turn) == ["It failed"]
    assert "no response" in turn.logs[0].description


@pytest.mark.parametrize(
    "address",
    [
        "http://127.0.0.1:{port}/json",
        "http://localhost:{port}/json",  # a name resolving to 127.0.0.1
        "http://[::1]:{port}/json",
        "http://10.1.2.3/",
        "http://192.168.0.10/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::ffff:127.0.0.1]:{port}/json",
        "http://0.0.0.0:{port}/json",
    ],
)
def test_private_and_local_addresses_are_refused_by_default(
    server: WebServer, address: str
) -> None:
    flow = calling({"url": address.format(port=server.port), "failure": "failed"})

    turn = run(flow, limits=Limits())

    assert said(turn) == ["It failed"]
    assert "refused:" in turn.logs[0].description
    assert "SEGFLOW_HTTP_ALLOWED_HOSTS" in turn.logs[0].description
    assert server.requests == []


@pytest.mark.parametrize("allowed", ["127.0.0.1", "localhost", "127.0.0.0/8"])
def test_the_allowed_hosts_setting_opens_a_local_address(server: WebServer, allowed: str) -> None:
    flow = calling(
        {"url": server.url("/json", host="localhost"), "failure": "failed"},
    )

    turn = run(flow, limits=Limits(http_allowed_hosts=allowed))

    assert said(turn) == ["Done"]
    assert len(server.requests) == 1


def test_a_redirect_to_a_private_address_is_refused(server: WebServer) -> None:
    target = server.url("/json")  # 127.0.0.1, while only the name localhost is allowed
    flow = calling(
        {"url": server.url(f"/redirect?to={target}", host="localhost"), "failure": "failed"}
    )

    turn = run(flow, limits=Limits(http_allowed_hosts="localhost"))

    assert said(turn) == ["It failed"]
    assert "127.0.0.1 is a private, loopback" in turn.logs[0].description
    assert [seen["path"] for seen in server.requests] == ["/redirect"]


def test_a_redirect_to_an_allowed_address_is_followed(server: WebServer) -> None:
    server.json = {"user": {"name": "Ada"}}
    flow = calling(
        {
            "url": server.url(f"/redirect?to={server.url('/json')}"),
            "responseMapping": [{"path": "data.user.name", "variable": "name"}],
        },
        then="Hi {{name}}",
    )

    assert said(run(flow)) == ["Hi Ada"]


def test_only_allowed_hosts_refuses_every_other_host() -> None:
    flow = calling({"url": "http://93.184.215.14/", "failure": "failed"})

    turn = run(flow, limits=Limits(http_allowed_hosts="127.0.0.1", http_only_allowed_hosts=True))

    assert said(turn) == ["It failed"]
    assert "http_only_allowed_hosts is on" in turn.logs[0].description


def test_a_response_larger_than_the_setting_is_a_failure(server: WebServer) -> None:
    flow = calling({"url": server.url("/big?bytes=5000"), "failure": "failed"})

    turn = run(flow, limits=Limits(http_allowed_hosts="127.0.0.1", http_max_response_bytes=4096))

    assert said(turn) == ["It failed"]
    assert "larger than 4,096 bytes (SEGFLOW_HTTP_MAX_RESPONSE_BYTES)" in turn.logs[0].description


def test_a_text_response_maps_as_text_and_a_missing_path_warns(server: WebServer) -> None:
    flow = calling(
        {
            "url": server.url("/text"),
            "responseMapping": [
                {"path": "data", "variable": "name"},
                {"path": "data.user.id", "variable": "id"},
            ],
        }
    )

    turn = run(flow)

    assert turn.state.variables["name"] == "plain words"
    assert turn.state.variables["id"] is None
    assert any('the response has no "data.user.id"' in log.description for log in turn.logs)


def test_without_an_http_client_the_engine_refuses_every_request() -> None:
    flow = calling({"url": "https://api.example.com/users", "failure": "failed"})

    turn = start_session(flow)

    assert said(turn) == ["It failed"]
    assert "HTTP requests are not available here" in turn.logs[0].description


def test_a_url_that_is_no_web_address_fails_before_any_request() -> None:
    flow = calling({"url": "{{name}}", "failure": "failed"})

    turn = run(flow, prefilled={"name": "file:///etc/passwd"})

    assert said(turn) == ["It failed"]
    assert '"file:///etc/passwd", not an http(s) address' in turn.logs[0].description


def test_a_get_request_with_a_body_is_refused_when_the_flow_is_read() -> None:
    refusal = "block 1 (HTTP request): A GET request sends no body"
    with pytest.raises(FlowError, match=re.escape(refusal)):
        calling({"url": "https://api.example.com", "body": "{}"})


def test_header_values_go_as_utf8_and_a_header_name_must_be_ascii(server: WebServer) -> None:
    good = calling({"url": server.url("/echo"), "headers": [{"key": "X-City", "value": "Zürich"}]})
    bad = calling(
        {
            "url": server.url("/echo"),
            "headers": [{"key": "X-Città", "value": "1"}],
            "failure": "failed",
        }
    )

    assert said(run(good)) == ["Done"]
    assert server.requests[0]["headers"]["x-city"].encode("latin-1").decode() == "Zürich"
    turn = run(bad)
    assert said(turn) == ["It failed"]
    assert 'the header names "X-Città" are not ASCII' in turn.logs[0].description


def test_under_typebot_semantics_a_timeout_maps_status_408_as_typebot_does(
    server: WebServer,
) -> None:
    flow = calling(
        {
            "url": server.url("/slow?seconds=3"),
            "timeout": 0.5,
            "responseMapping": [{"path": "statusCode", "variable": "status"}],
        },
        semantics="typebot",
    )

    turn = run(flow)

    assert turn.state.variables["status"] == 408
    assert said(turn) == ["Done"]


def test_a_json_body_under_a_form_content_type_is_sent_as_that_form(server: WebServer) -> None:
    flow = calling(
        {
            "url": server.url("/echo"),
            "method": "POST",
            "headers": [{"key": "Content-Type", "value": "application/x-www-form-urlencoded"}],
            "body": '{"name": "{{name}}", "id": {{id}}}',
        }
    )

    run(flow, prefilled={"name": "Ada L", "id": 7})

    [seen] = server.requests
    assert seen["body"] == "name=Ada+L&id=7"
    assert seen["headers"]["content-type"] == "application/x-www-form-urlencoded"
