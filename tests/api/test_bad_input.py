"""Input segflow cannot store (NUL characters, lone surrogates, integers beyond 64 bits, values
nested too deep, IDs and names longer than their columns) is refused with 400 naming the
field, on SQLite and PostgreSQL alike: never a 500, and the server goes on serving."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.api.chats import START, WITH_TRIAL_SIGNUP
from tests.conftest import postgres_database
from tests.serve_process import ServeProcess

TOKEN = "bad-input-token"
EDITOR = {"Authorization": f"Bearer {TOKEN}"}
JSON = {"content-type": "application/json"}
TOO_DEEP = "[" * 40 + "]" * 40


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServeProcess]:
    """One server for the module on each database: each test sends its own bad requests."""
    folder = tmp_path_factory.mktemp(f"bad-input-{request.param}")
    environment = {"SEGFLOW_EDITOR_TOKEN": TOKEN}
    if request.param == "sqlite":
        url = f"sqlite:///{folder / 'segflow.db'}"
        with ServeProcess(
            url, folder / "home", args=WITH_TRIAL_SIGNUP, environment=environment
        ) as s:
            yield s
    else:
        with (
            postgres_database() as url,
            ServeProcess(
                url, folder / "home", args=WITH_TRIAL_SIGNUP, environment=environment
            ) as s,
        ):
            yield s


def refused(server: ServeProcess, method: str, path: str, raw: str | None = None) -> str:
    """The message of the 400 answering a request whose body is `raw` JSON text, as a
    client could send it (lone surrogates and all)."""
    response = server.api.request(
        method,
        path,
        content=raw.encode() if raw is not None else None,
        headers={**JSON, **EDITOR} if raw is not None else EDITOR,
    )
    assert response.status_code == 400, (response.status_code, response.text)
    message: str = response.json()["message"]
    return message


def new_chat(server: ServeProcess) -> str:
    chat: str = server.api.post(START).json()["sessionId"]
    return chat


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('{"message": "Ada\\u0000"}', "message: a NUL character (\\u0000) is not allowed"),
        ('{"message": "\\ud800"}', "message: not valid Unicode: a lone surrogate (\\ud800)"),
        ('{"message": 1e999}', "message: not a JSON number (inf)"),
    ],
)
def test_an_answer_segflow_cannot_store_is_refused(
    server: ServeProcess, body: str, message: str
) -> None:
    chat = new_chat(server)
    assert refused(server, "POST", f"/api/v1/sessions/{chat}/continueChat", body) == message
    # The chat still waits for the name, and takes a good answer.
    answered = server.api.post(f"/api/v1/sessions/{chat}/continueChat", json={"message": "Ada"})
    assert answered.json()["input"]["blockId"] == "ask-email"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('{"message": "\\udfff"}', "message: not valid Unicode: a lone surrogate (\\udfff)"),
        (
            '{"prefilledVariables": {"name": "Ada\\u0000"}}',
            "prefilledVariables.name: a NUL character (\\u0000) is not allowed",
        ),
        (
            '{"prefilledVariables": {"name": {"tags": ["\\ud83d"]}}}',
            "prefilledVariables.name.tags.0: not valid Unicode: a lone surrogate (\\ud83d)",
        ),
        (
            '{"prefilledVariables": {"\\ud800": "Ada"}}',
            "prefilledVariables.\\ud800 (as a name): not valid Unicode: a lone surrogate (\\ud800)",
        ),
        (
            '{"prefilledVariables": {"name": 9223372036854775808}}',
            "prefilledVariables.name: an integer beyond what segflow stores (-2^63 to 2^63-1)",
        ),
        (
            '{"prefilledVariables": {"name": {"n": [-9223372036854775809]}}}',
            "prefilledVariables.name.n.0: an integer beyond what segflow stores (-2^63 to 2^63-1)",
        ),
        (
            '{"prefilledVariables": {"name": ' + "7" * 5000 + "}}",
            "The request body is not valid JSON: it holds a number of too many digits",
        ),
        (
            '{"prefilledVariables": {"name": NaN}}',
            "prefilledVariables.name: not a JSON number (nan)",
        ),
        (
            '{"prefilledVariables": {"name": ' + TOO_DEEP + "}}",
            "prefilledVariables.name" + ".0" * 30 + ": nested deeper than 32 levels of objects "
            "and arrays",
        ),
        (
            '{"message": ' + "[" * 5000 + "]" * 5000 + "}",
            "The request body is not valid JSON: it nests too deeply",
        ),
        (
            '{"anonymousId": "' + "a" * 101 + '"}',
            "anonymousId: String should have at most 100 characters",
        ),
        ('{"anonymousId": "a\\u0000b"}', "anonymousId: a NUL character (\\u0000) is not allowed"),
        ('{"userId": "' + "u" * 501 + '"}', "userId: String should have at most 500 characters"),
        (
            '{"context": {"userAgent": "Mozilla \\udc00"}}',
            "context.userAgent: not valid Unicode: a lone surrogate (\\udc00)",
        ),
        (
            '{"context": {"page": {"title": "Pricing\\u0000"}}}',
            "context.page.title: a NUL character (\\u0000) is not allowed",
        ),
    ],
)
def test_a_start_segflow_cannot_store_is_refused(
    server: ServeProcess, body: str, message: str
) -> None:
    assert refused(server, "POST", START, body) == message


def test_an_id_in_the_url_that_cannot_exist_is_refused(server: ServeProcess) -> None:
    assert refused(server, "POST", "/api/v1/flows/trial%00signup/startChat") == (
        "flowId: a NUL character (\\u0000) is not allowed"
    )
    assert refused(server, "POST", "/api/v1/flows/" + "f" * 101 + "/startChat") == (
        "flowId: String should have at most 100 characters"
    )
    assert refused(server, "GET", "/api/v1/sessions/abc%00") == (
        "sessionId: a NUL character (\\u0000) is not allowed"
    )
    assert refused(server, "POST", "/api/v1/sessions/" + "s" * 53 + "/continueChat", "{}") == (
        "sessionId: String should have at most 52 characters; message: Field required"
    )


def test_a_user_id_longer_than_segflow_keeps_is_an_error_of_the_turn(
    server: ServeProcess,
) -> None:
    """The flow identifies the visitor by the email they type: one too long to keep as a
    User ID is logged on the Identify block, and the chat goes on."""
    chat = new_chat(server)
    server.api.post(f"/api/v1/sessions/{chat}/continueChat", json={"message": "Ada"})
    email = "a" * 600 + "@example.com"
    turn = server.api.post(f"/api/v1/sessions/{chat}/continueChat", json={"message": email})
    assert turn.status_code == 200, turn.text
    assert turn.json()["input"]["blockId"] == "ask-plan"
    assert [(log["block"], log["description"]) for log in turn.json()["logs"]] == [
        (
            "identify",
            "Identify User: User ID is 612 characters long; segflow keeps at most 500; "
            "nothing was sent",
        )
    ]
    assert server.api.get(f"/api/v1/sessions/{chat}").json()["userId"] is None


EDITOR_CASES: list[tuple[str, str, str | None, str]] = [
    (
        "POST",
        "/editor/api/flows",
        '{"name": "' + "n" * 201 + '"}',
        "name: String should have at most 200 characters",
    ),
    (
        "POST",
        "/editor/api/flows",
        '{"name": "Leads\\u0000"}',
        "name: a NUL character (\\u0000) is not allowed",
    ),
    (
        "PATCH",
        "/editor/api/flows/trial-signup",
        '{"name": "\\ud800"}',
        "name: not valid Unicode: a lone surrogate (\\ud800)",
    ),
    (
        "GET",
        "/editor/api/flows/trial%00signup",
        None,
        "flow_id: a NUL character (\\u0000) is not allowed",
    ),
    (
        "GET",
        "/editor/api/flows/" + "f" * 101,
        None,
        "flow_id: String should have at most 100 characters",
    ),
    (
        "PUT",
        "/editor/api/flows/trial-signup/draft",
        '{"name": "Trial", "groups": [{"id": "g", "blocks": [{"n": 18446744073709551616}]}]}',
        "groups.0.blocks.0.n: an integer beyond what segflow stores (-2^63 to 2^63-1)",
    ),
    (
        "POST",
        "/editor/api/flows/trial-signup/check",
        '{"name": "Trial", "variables": ["\\ud800"]}',
        "variables.0: not valid Unicode: a lone surrogate (\\ud800)",
    ),
    (
        "POST",
        "/editor/api/destinations",
        '{"name": "' + "a" * 101 + '", "writeKey": "k"}',
        "name: String should have at most 100 characters",
    ),
    (
        "POST",
        "/editor/api/destinations",
        '{"name": "Prod", "writeKey": "k\\u0000"}',
        "writeKey: a NUL character (\\u0000) is not allowed",
    ),
    (
        "POST",
        "/editor/api/destinations",
        '{"name": "Own", "writeKey": "k", "region": "custom", "endpoint": "https://'
        + "e" * 500
        + '"}',
        "endpoint: String should have at most 500 characters",
    ),
    (
        "POST",
        "/editor/api/test-events",
        '{"options": {"action": "Track Event"}, "variables": {"n": 1e999}}',
        "variables.n: not a JSON number (inf)",
    ),
    (
        "GET",
        "/editor/api/test-events/m%00",
        None,
        "message_id: a NUL character (\\u0000) is not allowed",
    ),
    (
        "POST",
        "/editor/api/preview",
        '{"flowId": "trial\\u0000"}',
        "flowId: a NUL character (\\u0000) is not allowed",
    ),
    (
        "POST",
        "/editor/api/flows/import",
        '{"text": "name: Leads\\u0000"}',
        "text: a NUL character (\\u0000) is not allowed",
    ),
]


@pytest.mark.parametrize(("method", "path", "body", "message"), EDITOR_CASES)
def test_the_editor_refuses_what_segflow_cannot_store(
    server: ServeProcess, method: str, path: str, body: str | None, message: str
) -> None:
    assert refused(server, method, path, body) == message


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "name: " + "n" * 201,
            "The flow has 1 problem:\n- Flow: Name is 201 characters; at most 200 fit",
        ),
        (
            "name: Leads\nsteps: 99999999999999999999",
            "The flow has 1 problem:\n"
            "- Flow: steps: an integer beyond what segflow stores (-2^63 to 2^63-1)",
        ),
        ("name: Leads\n1: one", "The file has a key that is not text (1): put it in quotes"),
        (
            "name: Leads\nlevels: !!set {a, b}",
            "The file is neither JSON nor YAML: uses the YAML type tag:yaml.org,2002:set, "
            "which segflow does not read (line 2, column 9)",
        ),
    ],
)
def test_an_imported_flow_segflow_cannot_store_is_refused(
    server: ServeProcess, text: str, message: str
) -> None:
    response = server.api.post("/editor/api/flows/import", json={"text": text}, headers=EDITOR)
    assert response.status_code == 400, response.text
    assert response.json()["message"] == message
    flows = server.api.get("/editor/api/flows", headers=EDITOR).json()
    assert [flow["name"] for flow in flows if flow["name"].startswith(("Leads", "nnn"))] == []


def test_the_server_answers_after_all_that(server: ServeProcess) -> None:
    assert server.api.get("/healthz").json() == {"status": "ok"}
    assert "Traceback" not in server.output()
