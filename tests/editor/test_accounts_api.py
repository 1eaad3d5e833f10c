"""Fixing Segment accounts through the editor's API: a new Write Key delivers the messages stuck
on the old one, rename follows drafts, removal moves or drops the messages it would lose, a
connection check sends no event, and the built-in collector is never taken for a user's."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from tests.editor.harness import EditorServer
from tests.editor.helpers import add_account, saved_flow
from tests.servers import CollectorProcess

RIGHT_KEY = "wk-right-key-7c1e"
WRONG_KEY = "wk-wrong-key-0000"


def track(event: str, account: str) -> dict[str, Any]:
    return {"action": "Track Event", "eventName": event, "userId": "ada", "destination": account}


def send(editor: EditorServer, event: str, account: str) -> str:
    answer = editor.api.post("/test-events", json={"options": track(event, account)}).json()
    assert answer["outcome"] == "queued", answer
    message_id: str = answer["messageId"]
    return message_id


def account(editor: EditorServer, name: str) -> dict[str, Any]:
    found: dict[str, Any] = next(
        a for a in editor.api.get("/destinations").json() if a["name"] == name
    )
    return found


def wait_for(condition: Any, timeout: float = 15.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if found := condition():
            return found
        time.sleep(0.05)
    raise TimeoutError("The condition did not hold in time")


def strict_collector(tmp_path: Path, name: str) -> CollectorProcess:
    """A collector that accepts RIGHT_KEY only, as a real workspace accepts its own key."""
    return CollectorProcess(f"sqlite:///{tmp_path / name}", write_keys=[RIGHT_KEY])


def test_a_new_write_key_delivers_the_stuck_messages_at_once(
    editor: EditorServer, tmp_path: Path
) -> None:
    with strict_collector(tmp_path, "strict.db") as collector:
        add_account(editor, "production", collector.url, WRONG_KEY)
        sent = [send(editor, name, "production") for name in ("Signed Up", "Upgraded")]

        # Refused again and again: the account backs off, longer each time.
        stuck = wait_for(
            lambda: (
                (a := account(editor, "production"))["retryAt"]
                and a["retryAt"] > time.time() + 2
                and a
            )
        )
        assert stuck["health"] == "retrying" and stuck["queued"] == 2
        assert "HTTP 401" in stuck["lastError"]

        fixed = editor.api.patch("/destinations/production", json={"writeKey": RIGHT_KEY})
        assert fixed.status_code == 200
        assert fixed.json()["writeKeyHint"] == "…7c1e"
        assert RIGHT_KEY not in fixed.text

        received = collector.wait_for_events(2, timeout=stuck["retryAt"] - time.time())
        assert sorted(event["message_id"] for event in received) == sorted(sent)
        healthy = wait_for(lambda: (a := account(editor, "production"))["queued"] == 0 and a)
        assert (healthy["health"], healthy["lastError"]) == ("healthy", None)


def test_a_corrected_endpoint_delivers_the_messages_that_found_nobody(
    editor: EditorServer, tmp_path: Path
) -> None:
    with strict_collector(tmp_path, "strict.db") as collector:
        add_account(editor, "production", "http://127.0.0.1:9", RIGHT_KEY)
        message_id = send(editor, "Signed Up", "production")
        stuck = wait_for(lambda: account(editor, "production")["lastError"])
        assert stuck.startswith("production: network error")

        moved = editor.api.patch(
            "/destinations/production", json={"region": "custom", "endpoint": collector.url}
        )

        assert moved.json()["endpoint"] == collector.url
        [received] = collector.wait_for_events(1)
        assert received["message_id"] == message_id


def test_an_account_moves_to_the_eu_endpoint_or_another_url(editor: EditorServer) -> None:
    add_account(editor, "production", "http://127.0.0.1:9", RIGHT_KEY)

    eu = editor.api.patch("/destinations/production", json={"region": "eu"}).json()
    assert (eu["region"], eu["endpoint"]) == ("eu", "https://events.eu1.segmentapis.com")
    custom = editor.api.patch("/destinations/production", json={"region": "custom"})
    assert custom.status_code == 422
    assert custom.json()["message"] == "A custom region needs the endpoint's URL"
    nothing = editor.api.patch("/destinations/production", json={})
    assert nothing.json()["message"].startswith("Nothing to change in destination 'production'")


def test_a_rename_follows_the_drafts_and_keeps_the_queued_messages(
    editor: EditorServer, tmp_path: Path
) -> None:
    with strict_collector(tmp_path, "strict.db") as collector:
        add_account(editor, "production", collector.url, WRONG_KEY)
        flow_id = saved_flow(
            editor, "Lead", {"id": "t", "type": "segment", **track("Lead", "production")}
        )
        message_id = send(editor, "Lead", "production")
        wait_for(lambda: account(editor, "production")["lastError"])

        renamed = editor.api.patch("/destinations/production", json={"name": "live"})

        assert renamed.status_code == 200
        assert (renamed.json()["name"], renamed.json()["renamedIn"]) == ("live", ["Lead"])
        draft = editor.api.get(f"/flows/{flow_id}").json()["draft"]
        assert draft["groups"][0]["blocks"][0]["destination"] == "live"
        editor.api.patch("/destinations/live", json={"writeKey": RIGHT_KEY}).raise_for_status()
        [received] = collector.wait_for_events(1)
        assert received["message_id"] == message_id


def test_a_rename_or_removal_is_refused_while_a_published_flow_names_the_account(
    editor: EditorServer,
) -> None:
    add_account(editor, "production", "http://127.0.0.1:9", RIGHT_KEY)
    flow_id = saved_flow(
        editor, "Lead", {"id": "t", "type": "segment", **track("Lead", "production")}
    )
    editor.api.post(f"/flows/{flow_id}/publish").raise_for_status()

    for refused in (
        editor.api.patch("/destinations/production", json={"name": "live"}),
        editor.api.delete("/destinations/production"),
    ):
        assert refused.status_code == 422
        assert 'published flows name it ("Lead")' in refused.json()["message"]
    assert account(editor, "production")["name"] == "production"


def test_names_taken_or_close_to_the_built_in_collector_are_refused(
    editor: EditorServer,
) -> None:
    add_account(editor, "production", "http://127.0.0.1:9", RIGHT_KEY)
    add_account(editor, "staging", "http://127.0.0.1:9", RIGHT_KEY)

    taken = editor.api.patch("/destinations/staging", json={"name": "production"})
    assert taken.json()["message"] == "A destination named 'production' already exists"
    for close in ("local collector", "Local-Collector", "built-in test collector"):
        refused = editor.api.post(
            "/destinations", json={"name": close, "writeKey": RIGHT_KEY, "region": "us"}
        )
        assert refused.status_code == 422
        assert "too close to segflow's own 'Built-in test collector'" in refused.json()["message"]


def test_removing_an_account_moves_or_drops_its_undelivered_messages(
    editor: EditorServer, tmp_path: Path
) -> None:
    with strict_collector(tmp_path, "strict.db") as collector:
        add_account(editor, "old", collector.url, WRONG_KEY)
        add_account(editor, "doomed", collector.url, WRONG_KEY)
        add_account(editor, "new", collector.url, RIGHT_KEY)
        moved_id = send(editor, "Moved", "old")
        send(editor, "Dropped", "doomed")
        wait_for(
            lambda: account(editor, "old")["lastError"] and account(editor, "doomed")["lastError"]
        )

        kept = editor.api.delete("/destinations/old")
        assert kept.status_code == 422
        assert kept.json()["message"] == (
            "Destination 'old' still has 1 undelivered message(s): move them to another "
            "account or drop them when removing it"
        )

        moved = editor.api.delete("/destinations/old", params={"moveTo": "new"})
        assert moved.json() == {
            "name": "old",
            "moved": 1,
            "movedTo": "new",
            "dropped": 0,
            "draftsNamingIt": [],
        }
        [received] = collector.wait_for_events(1)
        assert received["message_id"] == moved_id

        dropped = editor.api.delete("/destinations/doomed", params={"dropQueued": "true"})
        assert (dropped.json()["dropped"], dropped.json()["moved"]) == (1, 0)
        names = [a["name"] for a in editor.api.get("/destinations").json()]
        assert "old" not in names and "doomed" not in names
        assert len(collector.events()) == 1


def test_checking_the_connection_sends_an_empty_batch_and_no_event(
    editor: EditorServer, tmp_path: Path
) -> None:
    with strict_collector(tmp_path, "strict.db") as collector:
        add_account(editor, "right", collector.url, RIGHT_KEY)
        add_account(editor, "wrong", collector.url, WRONG_KEY)

        right = editor.api.post("/destinations/right/check").json()
        wrong = editor.api.post("/destinations/wrong/check").json()

        assert (right["ok"], right["status"]) == (True, 200)
        assert right["sent"].startswith('an empty batch ({"batch": []}) to ')
        assert right["outcome"] == "The collector accepted the Write Key (HTTP 200)."
        assert (wrong["ok"], wrong["status"]) == (False, 401)
        assert wrong["outcome"].startswith("The Write Key was refused: HTTP 401")
        assert [request["events"] for request in collector.requests()] == [0, 0]
        assert collector.events() == []


def test_the_built_in_collector_is_labelled_and_cannot_be_changed(
    editor: EditorServer,
) -> None:
    send(editor, "Hello", "")  # no account named: the built-in collector gets it

    built_in = account(editor, "local-collector")

    assert (built_in["label"], built_in["builtIn"]) == ("Built-in test collector", True)
    refused = editor.api.patch("/destinations/local-collector", json={"writeKey": RIGHT_KEY})
    assert refused.status_code == 422
    assert refused.json()["message"] == (
        "Built-in test collector ('local-collector') comes from segflow's settings and cannot "
        "be changed"
    )
