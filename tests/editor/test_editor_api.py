"""The editor's API: its token, Segment accounts whose Write Keys never come back, publishing
(chats run the published version), preview chats and their Events stream, import and delete."""

from __future__ import annotations

import stat
import time
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import update

from segflow.chat import Chats
from segflow.editor import TOKEN_FILE_NAME, load_editor_token
from segflow.service import Segflow
from segflow.settings import Settings
from segflow.store.db import MIGRATIONS
from segflow.store.tables import outbox
from tests.editor.harness import EditorServer
from tests.editor.helpers import add_account, saved_flow, stream_until, unauthenticated
from tests.servers import CollectorProcess

WRITE_KEY = "wk-secret-editor-9d2c"
ASK_EMAIL = {"id": "ask", "type": "emailInput", "variable": "email"}
IDENTIFY = {
    "id": "identify",
    "type": "segment",
    "action": "Identify User",
    "destination": "collector",
    "userId": "{{email}}",
    "email": "{{email}}",
}

SIGNED_UP = {  # a Segment block's options
    "action": "Track Event",
    "destination": "collector",
    "eventName": "Signed Up",
    "userId": "ada",
}


# -- the token -------------------------------------------------------------------------------


def test_the_editor_and_its_api_need_the_token(editor: EditorServer) -> None:
    with unauthenticated(editor) as browser:
        assert browser.get("/editor/api/flows").status_code == 401
        wrong = browser.get("/editor/api/flows", headers={"Authorization": "Bearer nope"})
        assert wrong.status_code == 401
        assert "needs its token" in wrong.json()["message"]
        page = browser.get("/editor/")
        assert page.status_code == 401
        assert "The Flow Editor needs its token" in page.text
        assert browser.get("/editor/js/main.js").status_code == 401

        login = browser.get(f"/editor/?token={editor.token}", follow_redirects=False)
        assert login.status_code == 303
        assert login.headers["location"] == "/editor/"
        cookie = login.headers["set-cookie"]
        assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/editor" in cookie

        assert browser.get("/editor/").status_code == 200  # the cookie now opens it
        assert browser.get("/editor/api/flows").status_code == 200
        assert (
            browser.get("/editor/js/main.js").headers["content-type"].startswith("text/javascript")
        )
        assert browser.get("/editor/../pyproject.toml").status_code == 404


def test_the_token_comes_from_the_environment_or_a_private_file(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = load_editor_token(Settings())
    token_file = home / TOKEN_FILE_NAME
    assert token_file.read_text() == token and len(token) >= 32
    assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
    assert load_editor_token(Settings()) == token  # the same on every start

    monkeypatch.setenv("SEGFLOW_EDITOR_TOKEN", "from-the-environment")
    assert load_editor_token(Settings()) == "from-the-environment"


# -- Segment accounts --------------------------------------------------------------------------


def test_a_write_key_goes_in_once_and_never_comes_back(editor: EditorServer) -> None:
    added = editor.api.post(
        "/destinations", json={"name": "production", "writeKey": WRITE_KEY, "region": "eu"}
    )
    assert added.status_code == 201
    assert added.json() == {
        "name": "production",
        "label": "production",
        "builtIn": False,
        "region": "eu",
        "endpoint": "https://events.eu1.segmentapis.com",
        "writeKeyHint": "…9d2c",
        "isDefault": False,
    }
    answers = [added, editor.api.get("/destinations"), editor.api.get("/block-types")]
    assert all(WRITE_KEY not in answer.text for answer in answers)

    twice = editor.api.post(
        "/destinations", json={"name": "production", "writeKey": "other-key-1234", "region": "us"}
    )
    assert twice.status_code == 422
    assert twice.json()["message"] == "A destination named 'production' already exists"
    custom = editor.api.post(
        "/destinations", json={"name": "rudder", "writeKey": WRITE_KEY, "region": "custom"}
    )
    assert custom.json()["message"] == "A custom region needs the endpoint's URL"


def test_block_types_come_with_their_options_schemas(editor: EditorServer) -> None:
    types = {kind["name"]: kind for kind in editor.api.get("/block-types").json()}

    assert types["emailInput"]["category"] == "input"
    variable = types["emailInput"]["schema"]["properties"]["variable"]
    assert (variable["title"], variable["ui"]) == ("Save the answer in", "variable")
    segment = types["segment"]["schema"]
    assert segment["discriminator"]["propertyName"] == "action"
    assert set(segment["discriminator"]["mapping"]) == {
        "Identify User",
        "Alias",
        "Track Event",
        "Page View",
        "Group",
        "Screen",
    }


# -- publishing and chats ------------------------------------------------------------------------


def test_chats_run_the_published_version_and_editing_the_draft_changes_none(
    editor: EditorServer, segflow: Segflow
) -> None:
    hello = {"id": "hello", "type": "text", "text": "Version one"}
    flow_id = saved_flow(editor, "Greeter", hello, ASK_EMAIL, variables=[{"name": "email"}])
    assert editor.api.post(f"/flows/{flow_id}/publish").json()["version"] == 1
    chats = Chats(segflow)
    live = chats.start_chat(flow_id)

    draft = editor.api.get(f"/flows/{flow_id}").json()["draft"]
    draft["groups"][0]["blocks"][0]["text"] = "Version two"
    editor.api.put(f"/flows/{flow_id}/draft", json=draft).raise_for_status()
    assert [m.model_dump()["text"] for m in chats.start_chat(flow_id).messages] == ["Version one"]

    assert editor.api.post(f"/flows/{flow_id}/publish").json()["version"] == 2
    assert [m.model_dump()["text"] for m in chats.start_chat(flow_id).messages] == ["Version two"]
    assert chats.get_session(live.session.id).flow_version == 1  # a live chat keeps its version


# -- saving drafts --------------------------------------------------------------------------


def test_a_save_based_on_a_revision_saved_over_since_is_a_conflict(editor: EditorServer) -> None:
    flow = editor.api.post("/flows", json={"name": "Shared"}).json()
    assert flow["revision"] == 1
    seen = editor.api.get(f"/flows/{flow['id']}")
    assert seen.headers["etag"] == '"1"'
    url = f"/flows/{flow['id']}/draft"
    theirs = seen.json()["draft"] | {"description": "theirs"}
    mine = seen.json()["draft"] | {"description": "mine"}

    first = editor.api.put(url, json=theirs, headers={"If-Match": '"1"'})
    assert first.status_code == 200
    assert (first.json()["revision"], first.headers["etag"]) == (2, '"2"')

    late = editor.api.put(url, json=mine, headers={"If-Match": '"1"'})
    assert late.status_code == 409
    body = late.json()
    assert body["message"] == (
        'Flow "shared" was changed elsewhere: its draft is at revision 2, not 1 as when this '
        "change started; load that one, or save again based on it to replace it"
    )
    assert body["revision"] == 2
    assert body["savedAt"] == first.json()["updatedAt"]
    assert editor.api.get(f"/flows/{flow['id']}").json()["draft"] == theirs  # not overwritten

    kept = editor.api.put(url, json=mine, headers={"If-Match": '"2"'})  # "keep mine"
    assert kept.json()["revision"] == 3
    assert editor.api.get(f"/flows/{flow['id']}").json()["draft"] == mine
    renamed = editor.api.patch(f"/flows/{flow['id']}", json={"name": "Shared flow"})
    assert renamed.json()["revision"] == 4  # a rename is a save too
    assert editor.api.put(url, json=mine, headers={"If-Match": '"3"'}).status_code == 409

    publish = f"/flows/{flow['id']}/publish"
    stale = editor.api.post(publish, headers={"If-Match": '"3"'})
    assert (stale.status_code, stale.json()["revision"]) == (409, 4)  # not what was seen
    assert editor.api.get(f"/flows/{flow['id']}").json()["publishedVersion"] is None
    assert editor.api.post(publish, headers={"If-Match": '"4"'}).json()["version"] == 1


def test_a_draft_that_is_not_a_flow_document_is_refused_naming_what_is_wrong(
    editor: EditorServer,
) -> None:
    flow = editor.api.post("/flows", json={"name": "Broken"}).json()
    url = f"/flows/{flow['id']}/draft"
    refusals = {
        "no name": (flow["draft"] | {"name": " "}, 'it has no "name"'),
        "groups": (flow["draft"] | {"groups": {"welcome": {}}}, '"groups" must be a list'),
        "blocks": (
            flow["draft"] | {"groups": [{"id": "welcome", "title": "Hi", "blocks": "text"}]},
            '"blocks" of group "Hi" must be a list of blocks (objects)',
        ),
    }
    for draft, problem in refusals.values():
        answer = editor.api.put(url, json=draft)
        assert answer.status_code == 400
        assert answer.json()["message"].startswith('The draft of flow "broken"')
        assert answer.json()["message"].endswith(problem)

    not_an_object = editor.api.put(url, json=["a", "list"])
    assert not_an_object.status_code == 400
    assert not_an_object.json()["message"] == "The request body: Input should be a valid dictionary"
    bad_revision = editor.api.put(url, json=flow["draft"], headers={"If-Match": "latest"})
    assert bad_revision.status_code == 400
    assert bad_revision.json()["message"] == (
        "If-Match must name a draft revision, e.g. \"7\"; it is 'latest'"
    )
    assert editor.api.get(f"/flows/{flow['id']}").json()["revision"] == 1  # nothing saved


def test_publishing_refuses_a_draft_whose_account_is_gone(
    editor: EditorServer, segflow: Segflow
) -> None:
    add_account(editor, "collector", "http://127.0.0.1:9", WRITE_KEY)
    flow_id = saved_flow(editor, "Orphan", ASK_EMAIL, IDENTIFY, variables=[{"name": "email"}])
    segflow.destinations.remove("collector")

    refused = editor.api.post(f"/flows/{flow_id}/publish")

    assert refused.status_code == 422
    [problem] = refused.json()["problems"]
    assert (problem["groupId"], problem["blockId"]) == ("welcome", "identify")
    assert problem["problem"].startswith('Segment account "collector" does not exist')
    assert editor.api.get(f"/flows/{flow_id}").json()["publishedVersion"] is None


def test_a_regular_expression_that_backtracks_is_a_warning_that_publishing_passes(
    editor: EditorServer,
) -> None:
    check = {
        "id": "check",
        "type": "condition",
        "items": [
            {"comparisons": [{"variable": "email", "operator": "matchesRegex", "value": "(.*)*@"}]}
        ],
    }
    flow_id = saved_flow(editor, "Slow", ASK_EMAIL, check, variables=[{"name": "email"}])
    draft = editor.api.get(f"/flows/{flow_id}").json()["draft"]

    [warning] = editor.api.post(f"/flows/{flow_id}/check", json=draft).json()["problems"]
    published = editor.api.post(f"/flows/{flow_id}/publish")

    assert (warning["level"], warning["blockId"]) == ("warning", "check")
    assert warning["field"] == ["items", 0, "comparisons", 0, "value"]
    assert 'the regular expression "(.*)*@" can take very long' in warning["problem"]
    assert published.status_code == 200
    assert published.json()["version"] == 1
    assert published.json()["warnings"] == [warning]


# -- preview chats and their Events stream --------------------------------------------------------


def test_the_events_stream_shows_a_preview_chats_message_delivered(
    editor: EditorServer, collector: CollectorProcess
) -> None:
    add_account(editor, "collector", collector.url, WRITE_KEY)
    flow_id = saved_flow(editor, "Lead", ASK_EMAIL, IDENTIFY, variables=[{"name": "email"}])

    started = editor.api.post("/preview", json={"flowId": flow_id, "source": "draft"}).json()
    assert started["input"]["type"] == "emailInput" and started["segment"] == []
    turn = editor.api.post(
        f"/preview/{started['sessionId']}/answers", json={"answer": "ada@example.com"}
    ).json()
    [queued] = turn["segment"]
    assert (queued["type"], queued["destination"]) == ("identify", "collector")

    [delivered] = stream_until(editor, started["sessionId"], "delivered")
    assert delivered["messageId"] == queued["messageId"]
    assert delivered["body"]["userId"] == "ada@example.com"
    [received] = collector.wait_for_events(1)
    assert received["message_id"] == queued["messageId"]


def test_the_events_stream_says_why_a_message_was_dead_lettered(
    editor: EditorServer, tmp_path: Path
) -> None:
    with CollectorProcess(
        f"sqlite:///{tmp_path / 'refusing.db'}", args=["--reject-event", "Poison"]
    ) as refusing:
        add_account(editor, "collector", refusing.url, WRITE_KEY)
        poison = {
            "id": "poison",
            "type": "segment",
            "action": "Track Event",
            "destination": "collector",
            "eventName": "Poison",
        }
        flow_id = saved_flow(editor, "Poisoned", poison)
        started = editor.api.post("/preview", json={"flowId": flow_id}).json()

        [dead] = stream_until(editor, started["sessionId"], "dead-lettered")
        assert dead["error"].startswith("collector refused the message: HTTP 400")
        assert "rejected event 'Poison'" in dead["error"]


def test_preview_chats_from_before_the_upgrade_still_show_their_deliveries(
    database_url: str, home: Path, collector: CollectorProcess
) -> None:
    segflow = Segflow.open(Settings(database_url=database_url))
    try:
        with EditorServer(segflow) as editor:
            add_account(editor, "collector", collector.url, WRITE_KEY)
            flow_id = saved_flow(
                editor, "Signup", {"id": "signed-up", "type": "segment", **SIGNED_UP}
            )
            started = editor.api.post("/preview", json={"flowId": flow_id}).json()
            stream_until(editor, started["sessionId"], "delivered")
            # As segflow left it before it listed a preview chat's messages under the chat.
            config = Config()
            config.set_main_option("script_location", str(MIGRATIONS))
            with segflow.database.engine.begin() as connection:
                config.attributes["connection"] = connection
                command.downgrade(config, "0009")
                connection.execute(update(outbox).values(chat_session_id=None))
                command.upgrade(config, "head")

            messages = editor.api.get(f"/preview/{started['sessionId']}/messages").json()
            assert [message["state"] for message in messages] == ["delivered"]
    finally:
        segflow.close()


def test_a_preview_of_a_draft_with_problems_is_refused_with_them(editor: EditorServer) -> None:
    flow = editor.api.post("/flows", json={"name": "Unpublished"}).json()
    published = editor.api.post("/preview", json={"flowId": flow["id"], "source": "published"})
    assert published.status_code == 404
    assert published.json()["message"] == (
        'Flow "unpublished" is not published yet: publish it first'
    )
    unknown = editor.api.post("/preview/nope/answers", json={"answer": "hi"})
    assert unknown.status_code == 404


def test_a_test_event_that_cannot_be_built_names_the_field(editor: EditorServer) -> None:
    answer = editor.api.post(
        "/test-events",
        json={"options": {"action": "Track Event", "eventName": "{{event}}"}, "variables": {}},
    )
    assert answer.json() == {
        "outcome": "refused",
        "problem": 'Track Event: Event Name is empty after filling in "{{event}}"; '
        "nothing was sent",
    }
    wrong = editor.api.post("/test-events", json={"options": {"action": "Shout"}})
    assert wrong.status_code == 422
    assert "Action must be one of" in wrong.json()["problems"][0]["problem"]


def test_a_test_events_delivery_is_followed_until_it_is_delivered(
    editor: EditorServer, collector: CollectorProcess
) -> None:
    add_account(editor, "collector", collector.url, WRITE_KEY)
    sent = editor.api.post("/test-events", json={"options": SIGNED_UP}).json()
    assert sent["outcome"] == "queued"

    deadline = time.monotonic() + 15
    while (delivery := editor.api.get(f"/test-events/{sent['messageId']}").json())[
        "state"
    ] != "delivered":
        assert delivery["state"] == "queued" and time.monotonic() < deadline, delivery
        time.sleep(0.05)
    assert (delivery["messageId"], delivery["error"]) == (sent["messageId"], None)
    [received] = collector.wait_for_events(1)
    assert received["message_id"] == sent["messageId"]
    # A message no longer in the outbox (or never a test event) reads as purged.
    assert editor.api.get("/test-events/gone-0001").json()["state"] == "purged"


# -- import, export and delete ---------------------------------------------------------------------


def test_a_segflow_flow_in_yaml_is_imported_and_exported_as_json(editor: EditorServer) -> None:
    text = Path("examples/lead-capture.yaml").read_text()
    imported = editor.api.post("/flows/import", json={"text": text, "filename": "lead.yaml"})
    assert imported.status_code == 201
    body = imported.json()
    assert (body["source"], body["report"]) == ("segflow", [])
    exported = editor.api.get(f"/flows/{body['id']}/export")
    assert exported.headers["content-disposition"] == f'attachment; filename="{body["id"]}.json"'
    assert exported.json() == body["draft"]

    garbage = editor.api.post("/flows/import", json={"text": "[1, 2", "filename": "x.json"})
    assert garbage.status_code == 400
    assert garbage.json()["message"].startswith('"x.json" is neither JSON nor YAML')


def test_only_a_flow_never_published_can_be_deleted(editor: EditorServer) -> None:
    hello = {"id": "hello", "type": "text", "text": "Hi"}
    draft_only = saved_flow(editor, "Scratch", hello)
    published = saved_flow(editor, "Live", hello)
    editor.api.post(f"/flows/{published}/publish").raise_for_status()

    assert editor.api.delete(f"/flows/{draft_only}").status_code == 204
    assert editor.api.get(f"/flows/{draft_only}").status_code == 404
    refused = editor.api.delete(f"/flows/{published}")
    assert refused.status_code == 400
    assert "is published (version 1)" in refused.json()["message"]


# -- links to other flows --------------------------------------------------------------------------


def test_a_preview_follows_a_link_into_a_published_flow_and_back(editor: EditorServer) -> None:
    ask = {"id": "ask-size", "type": "textInput", "variable": "size"}
    sizes = saved_flow(editor, "Sizes", ask, variables=[{"name": "size"}])
    link = {"id": "to-sizes", "type": "link", "flow": sizes}
    done = {"id": "done", "type": "text", "text": "Size {{size}}"}
    checkout = saved_flow(editor, "Checkout", link, done, variables=[{"name": "size"}])

    unpublished = editor.api.post(f"/flows/{checkout}/publish").json()
    [warning] = unpublished["warnings"]
    assert (warning["level"], warning["blockId"], warning["field"], warning["problem"]) == (
        "warning",
        "to-sizes",
        ["flow"],
        'Link goes to flow "sizes", which is not published (yet); until it is, chats go on '
        "past the link",
    )
    editor.api.post(f"/flows/{sizes}/publish").raise_for_status()

    started = editor.api.post("/preview", json={"flowId": checkout, "source": "draft"}).json()
    assert started["input"]["blockId"] == "ask-size"
    turn = editor.api.post(f"/preview/{started['sessionId']}/answers", json={"answer": "M"})
    assert [message["text"] for message in turn.json()["messages"]] == ["Size M"]


def test_importing_a_bot_in_the_editor_asks_for_the_bot_it_links_to_until_it_is_there(
    editor: EditorServer,
) -> None:
    fixtures = Path(__file__).parents[1] / "importers" / "fixtures"

    def report(name: str) -> list[str]:
        text = (fixtures / name).read_text(encoding="utf-8")
        answer = editor.api.post("/flows/import", json={"text": text, "filename": name})
        assert answer.status_code == 201, answer.text
        return [finding["message"] for finding in answer.json()["report"]]

    [missing] = report("plans.v6.json")
    assert 'links to the Typebot "cl-front-desk-0001", which is not imported yet' in missing
    assert report("front-desk.v6.json") == []  # Plans is there: its Typebot ID is an alias
