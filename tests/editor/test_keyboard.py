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
    page.keyboard.press("Alt+ArrowUp")
    expect(welcome.locator(".block").first).to_have_attribute("data-block-type", "emailInput")
    expect(block_card(page, "emailInput")).to_be_focused()
    page.keyboard.press("Alt+ArrowDown")
    expect(welcome.locator(".block").first).to_have_attribute("data-block-type", "text")

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
    chosen = dialog.get_by_label("Leads to the group").locator("option:checked")
    expect(chosen).to_have_text("Group 2")
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


def menu_flow(editor: EditorServer) -> str:
    """A Menu group whose "Again" button loops back to it and whose "Done" leads to Thanks."""
    flow_id: str = editor.api.post("/flows", json={"name": "Menu"}).json()["id"]
    draft = draft_of(editor, flow_id)
    draft["variables"] = [{"name": "choice"}]
    draft["groups"] = [
        {
            "id": "menu",
            "title": "Menu",
            "position": {"x": 0, "y": 0},
            "blocks": [
                {"id": "hello", "type": "text", "text": "Pick one"},
                {
                    "id": "pick",
                    "type": "choiceInput",
                    "variable": "choice",
                    "items": [
                        {"id": "again", "label": "Again", "next": "menu"},
                        {"id": "done", "label": "Done", "next": "thanks"},
                    ],
                },
            ],
        },
        {
            "id": "thanks",
            "title": "Thanks",
            "position": {"x": 400, "y": 0},
            "blocks": [{"id": "bye", "type": "text", "text": "Bye"}],
        },
    ]
    draft["start"] = {"group": "menu"}
    editor.api.put(f"/flows/{flow_id}/draft", json=draft).raise_for_status()
    return flow_id


def test_groups_and_blocks_are_duplicated_copied_and_pasted_with_fresh_ids(
    page: Page, editor: EditorServer
) -> None:
    flow_id = menu_flow(editor)
    open_flow(page, editor, flow_id)

    # Ctrl+D on the Menu group: a copy whose loop leads to the copy, and Done still to Thanks.
    tab_to(page, group_card(page, "Menu"))
    page.keyboard.press("Control+d")
    copy = group_card(page, "Menu copy")
    expect(copy).to_be_focused()
    expect_saved(page)
    groups = draft_of(editor, flow_id)["groups"]
    assert [group["title"] for group in groups] == ["Menu", "Thanks", "Menu copy"]
    original, _, duplicate = groups
    assert duplicate["id"] not in ("menu", "thanks")
    assert duplicate["position"] == {"x": 40, "y": 40}
    block_ids = {block["id"] for group in groups for block in group["blocks"]}
    assert len(block_ids) == 5
    items = duplicate["blocks"][1]["items"]
    assert [item["next"] for item in items] == [duplicate["id"], "thanks"]
    assert {item["id"] for item in items}.isdisjoint({"again", "done"})
    assert original == draft_of(editor, flow_id)["groups"][0]

    # Ctrl+C on the choice block, Ctrl+V on the Thanks group: the block at its end.
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")
    expect(page.locator('.group[data-group-id="menu"]')).to_be_focused()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    expect(block_card(page, "choiceInput").first).to_be_focused()
    page.keyboard.press("Control+c")
    expect(page.get_by_role("status").filter(has_text="Copied")).to_have_text("Copied the block")
    page.keyboard.press("ArrowRight")
    expect(group_card(page, "Thanks")).to_be_focused()
    page.keyboard.press("Control+v")
    thanks = group_card(page, "Thanks")
    expect(thanks.locator(".block")).to_have_count(2)
    expect(thanks.locator(".block").last).to_be_focused()

    # The right-click menu duplicates a block after itself; Ctrl+Z takes it back.
    thanks.locator(".block").first.click(button="right")
    menu = page.get_by_role("menu", name="Block actions")
    expect(menu.get_by_role("menuitem", name="Duplicate")).to_be_focused()
    expect(menu.get_by_role("menuitem")).to_have_text(
        ["DuplicateCtrl+D", "CopyCtrl+C", "Paste blockCtrl+V", "DeleteDelete"]
    )
    page.keyboard.press("Enter")
    expect(menu).to_be_hidden()
    expect(thanks.locator(".block-summary")).to_have_text(["Bye", "Bye", "→ choice"])
    page.keyboard.press("Control+z")
    expect(thanks.locator(".block")).to_have_count(2)
    expect_saved(page)
    thanks_blocks = draft_of(editor, flow_id)["groups"][1]["blocks"]
    assert [block["type"] for block in thanks_blocks] == ["text", "choiceInput"]
    pasted = thanks_blocks[1]
    assert pasted["id"] != "pick"
    assert [item["next"] for item in pasted["items"]] == ["menu", "thanks"]


def test_renaming_a_variable_renames_every_use_of_it(page: Page, editor: EditorServer) -> None:
    uses: list[dict[str, Any]] = [
        {"id": "greet", "type": "text", "text": "Hi {{first}}, {{ first }}! Not {{firsts}}."},
        {"id": "ask", "type": "textInput", "variable": "first"},
        {
            "id": "check",
            "type": "condition",
            "items": [
                {
                    "id": "c1",
                    "comparisons": [
                        {"variable": "first", "operator": "equals", "value": "{{first}}"}
                    ],
                }
            ],
        },
        {
            "id": "shout",
            "type": "setVariable",
            "variable": "loud",
            "expression": "upper(first) + 'first'",
        },
        {"id": "copy", "type": "setVariable", "variable": "first", "value": "{{first}}"},
        {
            "id": "track",
            "type": "segment",
            "action": "Track Event",
            "eventName": "Named {{first}}",
            "userId": "{{first}}",
            "properties": [
                {"key": "given", "value": "first", "type": "variable"},
                {"key": "first", "value": "first", "type": "text"},
            ],
        },
    ]
    flow_id = saved_flow(
        editor, "Names", *uses, variables=[{"name": "first"}, {"name": "firsts"}, {"name": "loud"}]
    )
    open_flow(page, editor, flow_id)
    name = page.get_by_label("Variable 1")
    expect(name).to_have_value("first")

    name.fill("loud")
    name.press("Enter")
    expect(page.get_by_role("alert").filter(has_text="already exists")).to_have_text(
        'A variable named "loud" already exists; this one stays "first".'
    )
    expect(name).to_have_value("first")

    name.fill("given_name")
    name.press("Tab")
    expect(block_card(page, "text").locator(".block-summary")).to_contain_text("{{given_name}}")
    expect_saved(page)
    draft = draft_of(editor, flow_id)
    assert draft["variables"] == [{"name": "given_name"}, {"name": "firsts"}, {"name": "loud"}]
    greet, ask, check, shout, copy, track = draft["groups"][0]["blocks"]
    assert greet["text"] == "Hi {{given_name}}, {{ given_name }}! Not {{firsts}}."
    assert ask["variable"] == "given_name"
    assert check["items"][0]["comparisons"][0] == {
        "variable": "given_name",
        "operator": "equals",
        "value": "{{given_name}}",
    }
    assert shout["expression"] == "upper(given_name) + 'first'"
    assert copy["variable"] == "given_name"
    assert copy["value"] == "{{given_name}}"
    assert (track["eventName"], track["userId"]) == ("Named {{given_name}}", "{{given_name}}")
    assert track["properties"] == [
        {"key": "given", "value": "given_name", "type": "variable"},
        {"key": "first", "value": "first", "type": "text"},
    ]

    page.keyboard.press("Control+z")
    expect(block_card(page, "text").locator(".block-summary")).to_contain_text("{{first}}")


def test_the_shortcuts_help_lists_every_shortcut_and_escape_closes_it(
    page: Page, editor: EditorServer
) -> None:
    open_flow(page, editor, menu_flow(editor))
    tab_to(page, group_card(page, "Menu"))
    page.keyboard.press("?")
    help_dialog = page.get_by_role("dialog", name="Keyboard shortcuts")
    expect(help_dialog).to_be_visible()
    for keys in ("Enter or Space on a palette block", "Alt+arrows (or Ctrl+arrows)", "C", "Ctrl+D"):
        expect(help_dialog.get_by_role("cell", name=keys, exact=True)).to_be_visible()
    page.keyboard.press("Escape")
    expect(help_dialog).to_be_hidden()

    # C then Escape: the connection is left as it was.
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("c")
    connect = page.get_by_role("dialog", name="Connect to…")
    expect(connect.get_by_label("Exit").locator("option")).to_have_text(
        ["Again", "Done", "Exit when no item applies"]
    )
    page.keyboard.press("Escape")
    expect(connect).to_be_hidden()
    expect(block_card(page, "choiceInput")).to_be_focused()


def test_no_serious_accessibility_violation_on_any_screen(
    browser: Browser, editor: EditorServer
) -> None:
    flow_id = menu_flow(editor)
    # axe-core is injected as an inline script, which the editor's CSP would refuse.
    context = browser.new_context(viewport={"width": 1440, "height": 900}, bypass_csp=True)
    page = context.new_page()
    page.goto(editor.login_url)
    expect(page.get_by_role("link", name="Menu")).to_be_visible()
    assert serious_accessibility_violations(page) == [], "flows page"

    open_flow(page, editor, flow_id)
    tab_to(page, block_card(page, "choiceInput"))
    expect(page.locator(".panel-block")).to_be_visible()
    assert serious_accessibility_violations(page) == [], "editor with a block selected"

    page.keyboard.press("?")
    expect(page.get_by_role("dialog", name="Keyboard shortcuts")).to_be_visible()
    assert serious_accessibility_violations(page) == [], "shortcuts dialog"
    page.keyboard.press("Escape")

    page.keyboard.press("Shift+F10")
    menu = page.get_by_role("menu", name="Block actions")
    expect(menu.get_by_role("menuitem", name="Duplicate")).to_be_focused()
    assert serious_accessibility_violations(page) == [], "block menu"
    page.keyboard.press("Escape")
    expect(menu).to_be_hidden()
    expect(block_card(page, "choiceInput")).to_be_focused()

    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_role("complementary", name="Share")).to_be_visible()
    assert serious_accessibility_violations(page) == [], "share panel"
    context.close()


def test_a_laptop_keeps_a_wide_canvas_and_a_phone_shows_the_flow_read_only(
    browser: Browser, editor: EditorServer
) -> None:
    flow_id = menu_flow(editor)
    for width, height in ((1024, 768), (390, 844)):
        context = browser.new_context(viewport={"width": width, "height": height}, bypass_csp=True)
        page = context.new_page()
        page.goto(editor.login_url)
        open_flow(page, editor, flow_id)
        canvas = page.locator(".canvas").bounding_box()
        assert canvas is not None
        if width == 1024:
            assert canvas["width"] >= 540, canvas
            page.get_by_role("button", name="Settings").click()
            expect(page.get_by_role("complementary", name="Settings")).to_be_hidden()
            widened = page.locator(".canvas").bounding_box()
            assert widened is not None and widened["width"] >= 850, widened
            screenshot(page, "editor-1024.png")
        else:
            assert canvas["width"] == width
            expect(page.get_by_text("Read-only on a small screen")).to_be_visible()
            for editing in ("Publish", "Undo", "Preview"):
                expect(page.get_by_role("button", name=editing)).to_be_hidden()
            expect(page.get_by_role("complementary", name="Blocks")).to_be_hidden()
            # Dragging a group pans the view instead of moving it.
            header = group_card(page, "Menu").locator(".group-header")
            before = header.bounding_box()
            assert before is not None
            page.mouse.move(before["x"] + 20, before["y"] + 10)
            page.mouse.down()
            page.mouse.move(before["x"] + 80, before["y"] + 60, steps=5)
            page.mouse.up()
            expect(page.locator(".world")).not_to_have_attribute("style", "")
            assert draft_of(editor, flow_id)["groups"][0]["position"] == {"x": 0, "y": 0}
            page.keyboard.press("Delete")
            expect(group_card(page, "Menu")).to_be_visible()
            page.get_by_role("button", name="Fit").click()
            for title in ("Menu", "Thanks"):
                card = group_card(page, title).bounding_box()
                assert card is not None and card["x"] >= 0 and card["x"] + card["width"] <= width
            screenshot(page, "editor-phone.png")
            assert serious_accessibility_violations(page) == [], "read-only editor"
            page.get_by_role("link", name="← Flows").click()
            expect(page.get_by_role("link", name="Menu")).to_be_visible()
            assert page.evaluate("document.documentElement.scrollWidth") <= width
            screenshot(page, "flows-phone.png")
        context.close()
