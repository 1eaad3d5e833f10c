"""A flow's Results through the editor API: its chats run through the chat API with their
answers, variables and delivered Segment messages, a chat's transcript, filters, pages and
the CSV export."""

from __future__ import annotations

import csv
import io
import time
from typing import Any

import httpx

from segflow.chat import Chats
from segflow.service import Segflow
from tests.editor.harness import EditorServer
from tests.editor.helpers import add_account, saved_flow, unauthenticated
from tests.servers import CollectorProcess

WRITE_KEY = "wk-results-5b1e"
ASK_NAME = {"id": "ask-name", "type": "textInput", "variable": "name"}
ASK_EMAIL = {"id": "ask-email", "type": "emailInput", "variable": "email"}
IDENTIFY = {
    "id": "identify",
    "type": "segment",
    "action": "Identify User",
    "destination": "collector",
    "userId": "{{email}}",
    "traits": [{"key": "name", "value": "{{name}}"}],
}
BYE = {"id": "bye", "type": "text", "text": "Thanks {{name}}!"}
VARIABLES = [{"name": "name"}, {"name": "email"}]


def published_flow(editor: EditorServer, name: str, *blocks: dict[str, Any]) -> str:
    flow_id = saved_flow(editor, name, *blocks, variables=VARIABLES)
    editor.api.post(f"/flows/{flow_id}/publish").raise_for_status()
    return flow_id


def chat_through_the_api(editor: EditorServer, flow_id: str, *answers: str) -> str:
    with httpx.Client(base_url=f"{editor.url}/api/v1", timeout=30.0) as client:
        started = client.post(f"/flows/{flow_id}/startChat", json={})
        started.raise_for_status()
        session_id: str = started.json()["sessionId"]
        for answer in answers:
            client.post(
                f"/sessions/{session_id}/continueChat", json={"message": answer}
            ).raise_for_status()
    return session_id


def results_until_delivered(editor: EditorServer, flow_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        listed: dict[str, Any] = editor.api.get(f"/flows/{flow_id}/results").json()
        messages = [message for chat in listed["chats"] for message in chat["segment"]]
        if messages and all(message["state"] == "delivered" for message in messages):
            return listed
        time.sleep(0.1)
    raise TimeoutError("The chat's Segment messages were not delivered")


def csv_rows(answer: httpx.Response) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(answer.text)))


def test_the_results_show_a_chat_run_through_the_api_with_its_delivered_messages(
    editor: EditorServer, collector: CollectorProcess
) -> None:
    add_account(editor, "collector", collector.url, WRITE_KEY)
    flow_id = published_flow(editor, "Lead", ASK_NAME, ASK_EMAIL, IDENTIFY, BYE)
    session_id = chat_through_the_api(editor, flow_id, "Ada", "ada@example.com")
    # A preview chat is no chat of the flow: it stays out of the Results.
    preview = editor.api.post("/preview", json={"flowId": flow_id, "source": "published"})
    preview.raise_for_status()

    listed = results_until_delivered(editor, flow_id)

    assert (listed["total"], listed["next"]) == (1, None)
    assert listed["variables"] == ["name", "email"]
    [chat] = listed["chats"]
    assert chat["id"] == session_id
    assert (chat["status"], chat["flowVersion"], chat["turns"]) == ("completed", 1, 3)
    assert chat["answers"] == ["Ada", "ada@example.com"]
    assert chat["variables"] == {"name": "Ada", "email": "ada@example.com"}
    assert chat["userId"] == "ada@example.com"
    assert chat["startedAt"] <= chat["lastActivityAt"]
    [identify] = chat["segment"]
    assert (identify["type"], identify["destination"]) == ("identify", "collector")
    assert (identify["state"], identify["attempts"], identify["error"]) == ("delivered", 0, None)
    [received] = collector.wait_for_events(1, type="identify")
    assert received["message_id"] == identify["messageId"]

    detail = editor.api.get(f"/flows/{flow_id}/results/{session_id}").json()
    assert [turn["answer"] for turn in detail["transcript"]] == [None, "Ada", "ada@example.com"]
    said = [[m["text"] for m in turn["messages"]] for turn in detail["transcript"]]
    assert said == [[], [], ["Thanks Ada!"]]
    [sent] = detail["segment"]
    assert sent["state"] == "delivered"
    assert sent["body"]["traits"] == {"name": "Ada"}

    exported = editor.api.get(f"/flows/{flow_id}/results.csv")
    assert exported.headers["content-type"] == "text/csv; charset=utf-8"
    assert f'filename="{flow_id}-results.csv"' in exported.headers["content-disposition"]
    [row] = csv_rows(exported)
    assert row["Chat ID"] == session_id
    assert (row["Status"], row["name"], row["email"]) == ("completed", "Ada", "ada@example.com")
    assert row["Answers"] == "Ada | ada@example.com"
    assert row["Segment messages"] == "identify delivered"


def test_the_results_come_a_page_at_a_time_newest_first_and_filtered(
    editor: EditorServer, segflow: Segflow
) -> None:
    flow_id = published_flow(editor, "Names", ASK_NAME, BYE)
    other_flow = published_flow(editor, "Other", ASK_NAME)
    chats = Chats(segflow)
    started = [chats.start_chat(flow_id).session.id for _ in range(5)]
    for session_id, name in zip(started[:3], ["Ada", "Grace", "Alan"], strict=True):
        chats.continue_chat(session_id, name)
    elsewhere = chats.start_chat(other_flow).session.id

    seen: list[str] = []
    after = None
    while True:
        params = {"limit": 2} | ({"after": after} if after else {})
        page = editor.api.get(f"/flows/{flow_id}/results", params=params).json()
        assert page["total"] == 5
        seen += [chat["id"] for chat in page["chats"]]
        if not (after := page["next"]):
            break
    assert seen == started[::-1]

    active = editor.api.get(f"/flows/{flow_id}/results", params={"status": "active"}).json()
    assert {chat["id"] for chat in active["chats"]} == set(started[3:])
    assert active["total"] == 2
    found = editor.api.get(f"/flows/{flow_id}/results", params={"search": "GRA"}).json()
    assert [chat["answers"] for chat in found["chats"]] == [["Grace"]]
    first_chat = editor.api.get(f"/flows/{flow_id}/results/{started[0]}").json()
    between = {
        "startedFrom": first_chat["startedAt"],
        "startedBefore": first_chat["startedAt"] + 1e-6,
    }
    timed = editor.api.get(f"/flows/{flow_id}/results", params=between).json()
    assert [chat["id"] for chat in timed["chats"]] == [started[0]]

    done = editor.api.get(f"/flows/{flow_id}/results.csv", params={"status": "completed"})
    assert sorted(row["name"] for row in csv_rows(done)) == ["Ada", "Alan", "Grace"]

    # Another flow's chat, a made-up cursor, an unknown flow: each said so.
    wrong_flow = editor.api.get(f"/flows/{flow_id}/results/{elsewhere}")
    assert wrong_flow.status_code == 404
    assert elsewhere in wrong_flow.json()["message"]
    bad_cursor = editor.api.get(f"/flows/{flow_id}/results", params={"after": "yesterday"})
    assert bad_cursor.status_code == 400
    assert "ask for the first page again" in bad_cursor.json()["message"]
    assert editor.api.get("/flows/nope/results").status_code == 404
    assert editor.api.get("/flows/nope/results.csv").status_code == 404
    bad_status = editor.api.get(f"/flows/{flow_id}/results", params={"status": "lost"})
    assert bad_status.status_code == 400
    assert "status" in bad_status.json()["message"]


def test_an_answer_that_reads_as_a_formula_is_exported_as_text(
    editor: EditorServer, segflow: Segflow
) -> None:
    flow_id = published_flow(editor, "Formulas", ASK_NAME)
    chats = Chats(segflow)
    chats.continue_chat(chats.start_chat(flow_id).session.id, '=HYPERLINK("http://x","y")')

    [row] = csv_rows(editor.api.get(f"/flows/{flow_id}/results.csv"))

    assert row["name"] == '\'=HYPERLINK("http://x","y")'
    assert row["Answers"] == row["name"]


def test_the_results_need_the_editor_token(editor: EditorServer) -> None:
    flow_id = published_flow(editor, "Private", ASK_NAME)
    with unauthenticated(editor) as browser:
        assert browser.get(f"/editor/api/flows/{flow_id}/results").status_code == 401
        assert browser.get(f"/editor/api/flows/{flow_id}/results.csv").status_code == 401
        assert browser.get(f"/editor/api/flows/{flow_id}/results/x").status_code == 401
