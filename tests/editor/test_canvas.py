"""The canvas: moving groups saves their places, undo and redo, Delete, reordering blocks,
pan and zoom, and exits of buttons."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page, expect

from tests.editor.browser import (
    add_block_to_group,
    block_card,
    connect,
    drag,
    expect_saved,
    group_card,
)
from tests.editor.harness import EditorServer


def saved_draft(editor: EditorServer, flow_id: str) -> dict[str, Any]:
    draft: dict[str, Any] = editor.api.get(f"/flows/{flow_id}").json()["draft"]
    return draft


def open_new_flow(page: Page, editor: EditorServer, name: str) -> str:
    flow_id: str = editor.api.post("/flows", json={"name": name}).json()["id"]
    page.goto(f"{editor.url}/editor/#/flows/{flow_id}")
    expect(group_card(page, "Welcome")).to_be_visible()
    return flow_id


def test_a_dragged_group_keeps_its_place_and_undo_redo_and_delete_work(
    page: Page, editor: EditorServer
) -> None:
    flow_id = open_new_flow(page, editor, "Canvas")
    welcome = group_card(page, "Welcome")
    header = welcome.locator(".group-header")
    box = header.bounding_box()
    assert box is not None
    drag(page, header, box["x"] + box["width"] / 2 + 150, box["y"] + box["height"] / 2 + 100)
    expect_saved(page)
    assert saved_draft(editor, flow_id)["groups"][0]["position"] == {"x": 150, "y": 100}

    add_block_to_group(page, "Text", welcome)
    page.get_by_label("Text", exact=True).fill("First")
    add_block_to_group(page, "Text", welcome)
    page.get_by_label("Text", exact=True).fill("Second")
    expect(welcome.locator(".block-summary")).to_have_text(["First", "Second"])

    # Reorder: the second block dropped above the first.
    second = welcome.locator(".block").nth(1)
    first_box = welcome.locator(".block").first.bounding_box()
    assert first_box is not None
    drag(page, second, first_box["x"] + 40, first_box["y"] + 4)
    expect(welcome.locator(".block-summary")).to_have_text(["Second", "First"])

    page.locator(".canvas").click(position={"x": 40, "y": 40})  # deselects
    page.keyboard.press("Control+z")
    expect(welcome.locator(".block-summary")).to_have_text(["First", "Second"])
    page.keyboard.press("Control+Shift+z")
    expect(welcome.locator(".block-summary")).to_have_text(["Second", "First"])

    welcome.locator(".block").first.click()
    page.keyboard.press("Delete")
    expect(welcome.locator(".block-summary")).to_have_text(["First"])
    page.keyboard.press("Control+z")
    expect(welcome.locator(".block-summary")).to_have_text(["Second", "First"])
    expect_saved(page)
    blocks = saved_draft(editor, flow_id)["groups"][0]["blocks"]
    assert [block["text"] for block in blocks] == ["Second", "First"]


def test_buttons_have_an_exit_each_and_the_view_pans_and_zooms(
    page: Page, editor: EditorServer
) -> None:
    flow_id = editor.api.post("/flows", json={"name": "Menu"}).json()["id"]
    draft = saved_draft(editor, flow_id)
    draft["variables"] = [{"name": "choice"}]
    draft["groups"] = [
        {
            "id": "menu",
            "title": "Menu",
            "position": {"x": 0, "y": 0},
            "blocks": [
                {
                    "id": "pick",
                    "type": "choiceInput",
                    "variable": "choice",
                    "items": [{"id": "a", "label": "Pricing"}, {"id": "b", "label": "Support"}],
                }
            ],
        },
        {
            "id": "pricing",
            "title": "Pricing",
            "position": {"x": 330, "y": 40},
            "blocks": [{"id": "price", "type": "text", "text": "From $9"}],
        },
    ]
    draft["start"] = {"group": "menu"}
    editor.api.put(f"/flows/{flow_id}/draft", json=draft).raise_for_status()
    page.goto(f"{editor.url}/editor/#/flows/{flow_id}")

    pricing_item = block_card(page, "choiceInput").locator(".block-item", has_text="Pricing")
    connect(page, pricing_item.locator(".exit-handle"), group_card(page, "Pricing"))
    expect_saved(page)
    items = saved_draft(editor, flow_id)["groups"][0]["blocks"][0]["items"]
    assert [item.get("next") for item in items] == ["pricing", None]

    # Select the exit by its line and remove it with Delete.
    page.locator(".edge-hit").last.click(force=True)
    expect(page.locator(".panel-exit")).to_contain_text("Pricing → Pricing")
    page.keyboard.press("Delete")
    expect_saved(page)
    items = saved_draft(editor, flow_id)["groups"][0]["blocks"][0]["items"]
    assert [item.get("next") for item in items] == [None, None]

    world = page.locator(".world")
    before = world.evaluate("element => element.style.transform")
    page.get_by_role("button", name="Zoom in").click()
    expect(page.locator(".zoom-level")).to_have_text("120%")
    canvas = page.locator(".canvas").bounding_box()
    assert canvas is not None
    drag(page, page.locator(".canvas"), canvas["x"] + 300, canvas["y"] + 500)  # from its middle
    assert world.evaluate("element => element.style.transform") != before


def test_an_ab_test_draws_its_two_paths_which_lead_to_groups_and_go_with_a_removed_group(
    page: Page, editor: EditorServer
) -> None:
    flow_id = editor.api.post("/flows", json={"name": "Split"}).json()["id"]
    draft = saved_draft(editor, flow_id)
    draft["groups"] = [
        {
            "id": "split",
            "title": "Split",
            "position": {"x": 0, "y": 0},
            "blocks": [{"id": "coin", "type": "abTest", "aPercent": 30}],
        },
        {
            "id": "short",
            "title": "Short pitch",
            "position": {"x": 360, "y": 0},
            "blocks": [{"id": "s", "type": "text", "text": "Try it free."}],
        },
        {
            "id": "long",
            "title": "Long pitch",
            "position": {"x": 360, "y": 220},
            "blocks": [{"id": "l", "type": "text", "text": "Here is why it helps."}],
        },
    ]
    draft["start"] = {"group": "split"}
    editor.api.put(f"/flows/{flow_id}/draft", json=draft).raise_for_status()
    page.goto(f"{editor.url}/editor/#/flows/{flow_id}")

    paths = block_card(page, "abTest").locator(".block-item")
    expect(paths).to_have_text(["Path A", "Path B"])
    connect(page, paths.nth(0).locator(".exit-handle"), group_card(page, "Short pitch"))
    expect_saved(page)
    connect(page, paths.nth(1).locator(".exit-handle"), group_card(page, "Long pitch"))
    expect_saved(page)
    coin = saved_draft(editor, flow_id)["groups"][0]["blocks"][0]
    assert (coin.get("a"), coin.get("b"), coin.get("next")) == ("short", "long", None)

    page.locator(".edge-hit").last.click(force=True)
    expect(page.locator(".panel-exit")).to_contain_text("Path B → Long pitch")

    group_card(page, "Short pitch").locator(".group-header").click()
    page.keyboard.press("Delete")
    expect_saved(page)
    coin = saved_draft(editor, flow_id)["groups"][0]["blocks"][0]
    assert (coin.get("a"), coin.get("b")) == (None, "long")


def test_the_flow_panel_sets_whose_rules_values_and_conditions_follow(
    page: Page, editor: EditorServer
) -> None:
    flow_id = open_new_flow(page, editor, "Imported quiz")
    rules = page.get_by_label("Values and conditions follow")
    expect(rules).to_have_value("segflow")
    rules.select_option(label="Typebot's")
    expect_saved(page)
    assert saved_draft(editor, flow_id)["semantics"] == "typebot"

    page.reload()
    expect(page.get_by_label("Values and conditions follow")).to_have_value("typebot")
    page.get_by_label("Values and conditions follow").select_option(label="segflow's")
    expect_saved(page)
    assert saved_draft(editor, flow_id).get("semantics", "segflow") == "segflow"


def test_a_new_condition_reads_as_its_numbered_item_until_it_compares_something(
    page: Page, editor: EditorServer
) -> None:
    open_new_flow(page, editor, "Branching")
    add_block_to_group(page, "Condition", group_card(page, "Welcome"))
    condition = block_card(page, "condition")
    expect(condition.locator(".block-item").first).to_have_text("#1")
    expect(condition).not_to_contain_text("undefined")
