"""Building a flow from scratch in the browser, publishing it, chatting with it in the
preview, and watching its Identify message reach a real collector in the Events panel."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.editor.browser import (
    add_block_to_canvas,
    add_block_to_group,
    block_card,
    connect,
    expect_saved,
    group_card,
    screenshot,
)
from tests.editor.harness import EditorServer
from tests.editor.helpers import add_account
from tests.servers import CollectorProcess

WRITE_KEY = "wk-editor-test-7f3a"


def test_a_flow_built_in_the_editor_identifies_the_person_in_segment(
    page: Page, editor: EditorServer, collector: CollectorProcess
) -> None:
    page.get_by_role("button", name="New flow").click()
    page.get_by_label("Name").fill("Lead capture")
    page.get_by_role("button", name="Create").click()
    welcome = group_card(page, "Welcome")
    expect(welcome).to_be_visible()

    # A text bubble and an email input in the first group.
    add_block_to_group(page, "Text", welcome)
    page.get_by_label("Text", exact=True).fill("Hi! I'm **Ada**. What's your email?")
    add_block_to_group(page, "Email input", welcome)
    expect(welcome.locator(".block")).to_have_count(2)
    answer_field = page.get_by_label("Save the answer in")
    answer_field.fill("email")
    answer_field.press("Tab")

    # A Segment block in a new group, sending to a new account.
    canvas = page.locator(".canvas").bounding_box()
    assert canvas is not None
    add_block_to_canvas(page, "Segment", canvas["x"] + 560, canvas["y"] + 360)
    expect(page.locator("#segment-action")).to_have_value("Identify User")
    expect(page.locator('[data-path="email"] .field-error')).to_have_text("")  # optional
    expect(page.locator(".save-status")).to_have_text("Saved")

    page.get_by_role("button", name="Add Segment account").click()
    dialog = page.get_by_role("dialog", name="Add Segment account")
    dialog.get_by_label("Name").fill("collector")
    expect(dialog.get_by_label("Write Key")).to_have_attribute("type", "password")
    expect(dialog).to_contain_text("Segment dashboard: Sources, select the source, API Keys")
    dialog.get_by_label("Write Key").fill(WRITE_KEY)
    dialog.get_by_label("Custom endpoint").check()
    dialog.get_by_label("Endpoint URL").fill(collector.url)
    screenshot(page, "editor-add-account.png")
    dialog.get_by_role("button", name="Add account").click()
    expect(dialog).to_be_hidden()
    account = page.locator('[data-path="destination"] select')
    expect(account).to_have_value("collector")
    expect(account.locator("option:checked")).to_have_text("collector (CUSTOM, key …7f3a)")

    # The variable picker writes {{email}} into the User ID; Email is typed.
    page.locator('[data-path="userId"] .variable-picker').click()
    page.get_by_role("menuitem", name="{{email}}").click()
    expect(page.locator('[data-path="userId"] input')).to_have_value("{{email}}")
    page.locator('[data-path="email"] input').fill("{{email}}")
    page.get_by_role("button", name="+ Add trait").click()
    page.get_by_label("Trait 1 key").fill("plan")
    page.get_by_label("Trait 1 value").fill("pro")

    # The email input leads to the Segment block's group.
    segment_group = page.locator(".group").filter(has=block_card(page, "segment"))
    connect(page, block_card(page, "emailInput").locator(".exit-handle"), segment_group)
    expect(block_card(page, "emailInput").locator(".exit-handle")).to_have_attribute(
        "data-target", re.compile(r"^g-")
    )
    expect_saved(page)
    page.get_by_role("button", name="Fit").click()
    screenshot(page, "editor-canvas.png")

    page.get_by_role("button", name="Publish").click()
    expect(page.locator(".save-status")).to_have_text("Published version 1")
    expect(page.locator(".version")).to_have_text("published: version 1")

    # Chat with the published version; the Identify message shows up, then delivered.
    page.get_by_role("button", name="Preview").click()
    page.get_by_label("Chat with").select_option("published")
    preview = page.locator(".preview")
    expect(preview.locator(".bubble.bot")).to_have_text("Hi! I'm Ada. What's your email?")
    preview.get_by_label("Your answer").fill("ada@example.com")
    preview.get_by_label("Your answer").press("Enter")
    expect(preview.locator(".bubble.user")).to_have_text("ada@example.com")
    identify = preview.locator('.event[data-type="identify"]')
    expect(identify.locator(".event-summary")).to_have_text("ada@example.com")
    expect(identify.locator(".state")).to_have_text("delivered", timeout=15_000)
    expect(identify.locator(".event-meta")).to_have_text("to collector")
    identify.locator("summary").click()
    screenshot(page, "editor-preview.png")

    received = collector.wait_for_events(1, type="identify")
    assert len(received) == 1
    payload = received[0]["payload"]
    assert payload["userId"] == "ada@example.com"
    assert payload["traits"] == {"email": "ada@example.com", "plan": "pro"}
    assert received[0]["write_key_hint"] == WRITE_KEY[-4:]


def test_send_test_event_asks_for_the_variables_and_shows_the_delivery(
    page: Page, editor: EditorServer, collector: CollectorProcess
) -> None:
    add_account(editor, "collector", collector.url, WRITE_KEY)
    flow = editor.api.post("/flows", json={"name": "Signup"}).json()
    draft = flow["draft"]
    draft["variables"] = [{"name": "plan"}]
    draft["groups"][0]["blocks"] = [
        {
            "id": "signed-up",
            "type": "segment",
            "action": "Track Event",
            "destination": "collector",
            "eventName": "Signed Up",
            "userId": "u-42",
            "properties": [{"key": "plan", "value": "{{plan}}", "type": "text"}],
        }
    ]
    editor.api.put(f"/flows/{flow['id']}/draft", json=draft).raise_for_status()

    page.goto(f"{editor.url}/editor/#/flows/{flow['id']}")
    block_card(page, "segment").click()
    page.get_by_role("button", name="Send test event").click()
    dialog = page.get_by_role("dialog", name="Send test event")
    dialog.get_by_label("plan").fill("pro")
    dialog.get_by_role("button", name="Send").click()
    expect(dialog.locator(".test-outcome")).to_contain_text("Queued a track message for collector")
    expect(dialog.locator(".test-outcome .state")).to_have_text("delivered", timeout=15_000)
    screenshot(page, "editor-test-event.png")

    [event] = collector.wait_for_events(1, type="track")
    assert event["payload"]["event"] == "Signed Up"
    assert event["payload"]["properties"] == {"plan": "pro"}
