"""The editor from the keyboard alone: adding blocks from the palette, editing them, moving
and connecting groups, publishing; copy, paste and duplicate; renaming a variable everywhere
it is used; the shortcuts help; axe-core on every screen; laptop and phone widths."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Browser, Locator, Page, expect

from tests.editor.browser import block_card, expect_saved, group_card, screenshot
from tests.editor.harness import EditorServer
from tests.editor.helpers import saved_flow
from tests.embed.chatting import serious_accessibility_violations

MOST_TABS = 120


def tab_to(page: Page, target: Locator, *, backwards: bool = False) -> None:
    """Presses Tab (or Shift+Tab) until `target` has the focus, as a person would."""
    key = "Shift+Tab" if backwards else "Tab"
    for _ in range(MOST_TABS):
        if target.count() and target.evaluate("element => element === document.activeElement"):
            return
        page.keyboard.press(key)
    raise AssertionError(f"{MOST_TABS} presses of {key} never reached {target}")


def open_flow(page: Page, editor: EditorServer, flow_id: str) -> None:
    page.goto(f"{editor.url}/editor/#/flows/{flow_id}")
    expect(page.locator(".group").first).to_be_visible()


def draft_of(editor: EditorServer, flow_id: str) -> dict[str, Any]:
    draft: dict[str, Any] = editor.api.get(f"/flows/{flow_id}").json()["draft"]
    return draft


def focused(page: Page) -> Locator:
    return page.locator("*:focus")


def test_a_flow_is_built_connected_and_published_from_the_keyboard_alone(
    page: Page, editor: EditorServer
) -> None:
    flow_id: str = editor.api.post("/flows", json={"name": "Keyboard signup"}).json()["id"]
    open_flow(page, editor, flow_id)
    welcome = group_card(page, "Welcome")

    # The Welcome group, reached with Tab, is selected; Enter on a palette block adds it there.
    tab_to(page, welcome)
    expect(welcome).to_have_class("group selected")
    page.keyboard.press("b")
    expect(page.locator(".palette-item").first).to_be_focused()
    tab_to(page, page.locator(".palette-item", has_text="Text").first)
    page.keyboard.press("Enter")
    text = page.get_by_label("Text", exact=True)
    expect(text).to_be_focused()
    page.keyboard.type("Hi! Your email, please?")
    page.keyboard.press("Escape")
    expect(block_card(page, "text")).to_be_focused()

    # Space on the Email input adds it after the selected text block.
    page.keyboard.press("b")
    tab_to(page, page.locator(".palette-item", has_text="Email input"))
    page.keyboard.press(" ")
    tab_to(page, page.get_by_label("Save the answer in"))
    page.keyboard.type("email")
    page.keyboard.press("Tab")
    page.keyboard.press("Escape")
    expect(block_card(page, "emailInput")).to_be_focused()
    expect(welcome.locator(".block")).to_have_count(2)

    # With nothing selected, the Segment block goes in a new group: a Track Event.
    page.keyboard.press("Escape")
    expect(page.locator(".canvas")).to_be_focused()
    page.keyboard.press("b")
    tab_to(page, page.locator(".palette-item", has_text="Segment"))
    page.keyboard.press("Enter")
    action = page.locator("#segment-action")
    expect(action).to_be_focused()
    page.keyboard.type("Track Event")
    expect(action).to_have_value("Track Event")
    tab_to(page, page.locator('[data-path="eventName"] input'))
    page.keyboard.type("Signed Up")
    page.keyboard.press("Escape")
    segment = block_card(page, "segment")
    expect(segment).to_be_focused()
    expect(segment.locator(".block-summary")).to_have_text("Track Event: Signed Up")

    # The group moves with Alt+arrows; arrows go back to the email input; C connects it.
    segment_group = page.locator(".group").filter(has=segment)
    page.keyboard.press("ArrowUp")
    expect(segment_group).to_be_focused()
    before = segment_group.evaluate("card => [card.offsetLeft, card.offsetTop]")
    page.keyboard.press("Alt+ArrowRight")
    page.keyboard.press("Alt+Shift+ArrowDown")
    expect(segment_group).to_be_focused()
    after = segment_group.evaluate("card => [card.offsetLeft, card.offsetTop]")
    assert after == [before[0] + 20, before[1] + 100]
    page.keyboard.press("ArrowLeft")
    expect(welcome).to_be_focused()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    expect(block_card(page, "emailInput")).to_be_focused()
    page.keyboard.press("c")
    dialog = page.get_by_role("dialog", name="Connect to…")
    expect(dialog.get_by_label("Exit")).to_be_focused()
    page.keyboard.press("Tab")
    expect(dialog.get_by_label("Leads to the group")).to_be_focused()
    page.keyboard.type("Gro")
    expect(dialog.get_by_label("Leads to the group").locator("option:checked")).to_have_text("Group 2")
    page.keyboard.press("Enter")
    expect(dialog).to_be_hidden()
    target = segment_group.get_attribute("data-group-id")
    expect(block_card(page, "emailInput").locator(".exit-handle")).to_have_attribute(
        "data-target", str(target)
    )
    expect(block_card(page, "emailInput")).to_be_focused()

    # Publish, reached backwards from the canvas.
    expect_saved(page)
    tab_to(page, page.get_by_role("button", name="Publish"), backwards=True)
    page.keyboard.press("Enter")
    expect(page.locator(".save-status")).to_have_text("Published version 1")

    flow = editor.api.get(f"/flows/{flow_id}").json()
    assert flow["publishedVersion"] == 1
    assert flow["unpublishedChanges"] is False
    first, second = flow["draft"]["groups"]
    assert [block["type"] for block in first["blocks"]] == ["text", "emailInput"]
    assert first["blocks"][0]["text"] == "Hi! Your email, please?"
    assert first["blocks"][1]["variable"] == "email"
    assert first["blocks"][1]["next"] == second["id"]
    assert second["blocks"][0]["action"] == "Track Event"
    assert second["blocks"][0]["eventName"] == "Signed Up"
