"""Fixing a Segment account in the browser: messages stuck on a wrong Write Key reach a strict
collector once the key is fixed; a rename follows the open flow; the first account picked on a
block becomes the flow's, so the next block sends there too."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, expect

from tests.editor.browser import block_card, expect_saved, screenshot
from tests.editor.harness import EditorServer
from tests.editor.helpers import add_account, saved_flow
from tests.servers import CollectorProcess

RIGHT_KEY = "wk-right-key-3d9f"
WRONG_KEY = "wk-wrong-key-0000"


def segment_block(block_id: str, event: str, account: str = "") -> dict[str, Any]:
    return {
        "id": block_id,
        "type": "segment",
        "action": "Track Event",
        "eventName": event,
        "userId": "ada",
        "destination": account,
    }


def queue(editor: EditorServer, event: str, account: str) -> str:
    options = segment_block("x", event, account)
    del options["id"], options["type"]
    answer = editor.api.post("/test-events", json={"options": options}).json()
    assert answer["outcome"] == "queued", answer
    message_id: str = answer["messageId"]
    return message_id


def last_error(editor: EditorServer, name: str) -> str | None:
    for account in editor.api.get("/destinations").json():
        if account["name"] == name:
            error: str | None = account["lastError"]
            return error
    raise AssertionError(f"No account {name}")


def test_a_write_key_fixed_in_the_editor_delivers_the_stuck_messages(
    page: Page, editor: EditorServer, tmp_path: Path
) -> None:
    with CollectorProcess(
        f"sqlite:///{tmp_path / 'strict.db'}", write_keys=[RIGHT_KEY]
    ) as collector:
        add_account(editor, "production", collector.url, WRONG_KEY)
        stuck = [queue(editor, name, "production") for name in ("Signed Up", "Upgraded")]
        deadline = time.monotonic() + 15
        while not (error := last_error(editor, "production")) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert error is not None and "HTTP 401" in error
        flow_id = saved_flow(editor, "Lead", segment_block("track", "Lead"))
        page.goto(f"{editor.url}/editor/#/flows/{flow_id}")

        page.get_by_role("button", name="Manage accounts").click()
        manager = page.get_by_role("dialog", name="Segment accounts")
        row = manager.locator('[data-account="production"]')
        expect(row.locator(".account-state")).to_contain_text("Retrying (2 queued)")
        expect(row.locator(".account-state")).to_contain_text("HTTP 401")
        row.get_by_role("button", name="Check connection production").click()
        expect(row.locator(".check-outcome")).to_contain_text(
            "Not connected. The Write Key was refused: HTTP 401"
        )
        expect(row.locator(".check-outcome")).to_contain_text('Sent an empty batch ({"batch": []})')
        screenshot(page, "editor-accounts.png")

        row.get_by_role("button", name="Edit production").click()
        edit = page.get_by_role("dialog", name="Edit account production")
        expect(edit).to_contain_text("an EU workspace must use EU")
        expect(edit.get_by_label("Custom endpoint")).to_be_checked()
        expect(edit.get_by_label("New Write Key")).to_have_attribute("type", "password")
        edit.get_by_label("New Write Key").fill(RIGHT_KEY)
        screenshot(page, "editor-fix-account.png")
        edit.get_by_role("button", name="Save").click()
        expect(edit).to_be_hidden()
        expect(manager.get_by_role("status")).to_have_text(
            "Saved production: its waiting messages are sent again now."
        )

        received = collector.wait_for_events(2, timeout=10)
        assert sorted(event["message_id"] for event in received) == sorted(stuck)
        row.get_by_role("button", name="Check connection production").click()
        expect(row.locator(".check-outcome")).to_contain_text(
            "Connected. The collector accepted the Write Key (HTTP 200)."
        )
        manager.get_by_role("button", name="Close").click()
        page.get_by_role("button", name="Manage accounts").click()
        expect(manager.locator('[data-account="production"] .account-state')).to_have_text(
            "Healthy, nothing queued"
        )
        assert collector.requests()[0]["status"] == 200  # the newest: the last check


def test_a_renamed_account_is_renamed_in_the_open_flow_too(
    page: Page, editor: EditorServer
) -> None:
    add_account(editor, "production", "http://127.0.0.1:9", RIGHT_KEY)
    flow_id = saved_flow(editor, "Lead", segment_block("track", "Lead", "production"))
    page.goto(f"{editor.url}/editor/#/flows/{flow_id}")

    page.get_by_role("button", name="Manage accounts").click()
    manager = page.get_by_role("dialog", name="Segment accounts")
    manager.get_by_role("button", name="Rename production").click()
    rename = page.get_by_role("dialog", name="Rename account production")
    rename.get_by_label("New name").fill("live")
    rename.get_by_role("button", name="Rename").click()
    expect(manager.get_by_role("status")).to_have_text(
        "Renamed production to live. The drafts of Lead follow."
    )
    expect(manager.locator('[data-account="live"]')).to_be_visible()
    manager.get_by_role("button", name="Close").click()

    expect_saved(page)
    draft = editor.api.get(f"/flows/{flow_id}").json()["draft"]
    assert draft["groups"][0]["blocks"][0]["destination"] == "live"
    block_card(page, "segment").click()
    expect(page.locator('[data-path="destination"] select')).to_have_value("live")


def test_the_first_account_picked_on_a_block_becomes_the_flows(
    page: Page, editor: EditorServer
) -> None:
    add_account(editor, "production", "http://127.0.0.1:9", RIGHT_KEY)
    queue(editor, "Hello", "")  # the built-in collector now exists, under its own label
    flow_id = saved_flow(
        editor, "Lead", segment_block("first", "One"), segment_block("second", "Two")
    )
    page.goto(f"{editor.url}/editor/#/flows/{flow_id}")

    block_card(page, "segment").first.click()
    picker = page.locator('[data-path="destination"] select')
    expect(picker.locator("option")).to_have_text(
        [
            "The flow's account (none set: segflow's default)",
            "Built-in test collector",
            "production (CUSTOM, key …3d9f)",
        ]
    )
    picker.select_option("production")
    expect(page.locator(".account-notice")).to_have_text(
        re.compile("^production is now also the flow's account")
    )

    block_card(page, "segment").nth(1).click()
    expect(picker).to_have_value("")
    expect(picker.locator("option:checked")).to_have_text("The flow's account (production)")
    expect_saved(page)
    assert editor.api.get(f"/flows/{flow_id}").json()["draft"]["segment"]["destination"] == (
        "production"
    )


def test_removing_an_account_moves_its_waiting_messages_where_the_user_says(
    page: Page, editor: EditorServer, tmp_path: Path
) -> None:
    with CollectorProcess(
        f"sqlite:///{tmp_path / 'strict.db'}", write_keys=[RIGHT_KEY]
    ) as collector:
        add_account(editor, "new", collector.url, RIGHT_KEY)
        add_account(editor, "old", collector.url, WRONG_KEY)
        message_id = queue(editor, "Signed Up", "old")
        flow_id = saved_flow(editor, "Lead", segment_block("track", "Lead"))
        page.goto(f"{editor.url}/editor/#/flows/{flow_id}")

        page.get_by_role("button", name="Manage accounts").click()
        manager = page.get_by_role("dialog", name="Segment accounts")
        manager.get_by_role("button", name="Remove old").click()
        remove = page.get_by_role("dialog", name="Remove account old")
        expect(remove).to_contain_text("1 message(s) have not been delivered to old")
        expect(remove.get_by_role("radio", name="Move them to")).to_be_checked()
        expect(remove.get_by_label("Account to move them to")).to_have_value("new")
        screenshot(page, "editor-remove-account.png")
        remove.get_by_role("button", name="Remove account").click()

        expect(manager.get_by_role("status")).to_have_text(
            "Removed old. 1 undelivered message(s) moved to new."
        )
        expect(manager.locator('[data-account="old"]')).to_have_count(0)
        [received] = collector.wait_for_events(1)
        assert received["message_id"] == message_id
