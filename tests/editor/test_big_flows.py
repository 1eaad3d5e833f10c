"""Big flows on the canvas: Fit shows a very wide flow whole, the minimap brings a far group
into view, and typing in a block changes that block on the canvas and leaves the rest as it
was."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import FloatRect, Locator, Page, expect

from tests.editor.browser import expect_saved
from tests.editor.harness import EditorServer


def wide_flow(editor: EditorServer, groups: int) -> str:
    """A flow of `groups` groups in one row, each leading to the next; its ID."""
    flow = editor.api.post("/flows", json={"name": "Wide"}).json()
    draft = flow["draft"] | {
        "start": {"group": "g0"},
        "groups": [
            {
                "id": f"g{number}",
                "title": f"Step {number + 1}",
                "position": {"x": number * 420, "y": 0},
                "blocks": [
                    {"id": f"g{number}-text", "type": "text", "text": f"Message {number + 1}"},
                    {
                        "id": f"g{number}-ask",
                        "type": "textInput",
                        "variable": "answer",
                        **({"next": f"g{number + 1}"} if number + 1 < groups else {}),
                    },
                ],
            }
            for number in range(groups)
        ],
        "variables": [{"name": "answer"}],
    }
    editor.api.put(f"/flows/{flow['id']}/draft", json=draft).raise_for_status()
    flow_id: str = flow["id"]
    return flow_id


def step(page: Page, number: int) -> Locator:
    """The card of the wide flow's group "Step `number`"."""
    return page.locator(f'.group[data-group-id="g{number - 1}"]')


def open_flow(page: Page, editor: EditorServer, flow_id: str) -> None:
    page.goto(f"{editor.url}/editor/#/flows/{flow_id}")
    expect(step(page, 1)).to_be_visible()


def box_of(locator: Locator) -> FloatRect:
    box = locator.bounding_box()
    assert box is not None
    return box


def inside(inner: FloatRect, outer: FloatRect) -> bool:
    return (
        inner["x"] >= outer["x"]
        and inner["y"] >= outer["y"]
        and inner["x"] + inner["width"] <= outer["x"] + outer["width"]
        and inner["y"] + inner["height"] <= outer["y"] + outer["height"]
    )


def test_fit_shows_every_group_of_a_very_wide_flow(page: Page, editor: EditorServer) -> None:
    open_flow(page, editor, wide_flow(editor, 30))  # about 12,600 px wide
    canvas = box_of(page.locator(".canvas"))
    assert not inside(box_of(step(page, 30)), canvas)

    page.get_by_role("button", name="Fit").click()

    level = int((page.locator(".zoom-level").text_content() or "").rstrip("%"))
    assert 0 < level < 10
    for number in range(1, 31):
        group = box_of(step(page, number))
        assert inside(group, canvas), f"Step {number} is outside the canvas after Fit"


def test_pressing_the_minimap_brings_that_part_of_the_flow_into_view(
    page: Page, editor: EditorServer
) -> None:
    open_flow(page, editor, wide_flow(editor, 12))
    canvas = box_of(page.locator(".canvas"))
    last = step(page, 12)
    assert not inside(box_of(last), canvas)
    minimap = page.locator(".minimap")
    expect(minimap.locator(".minimap-group")).to_have_count(12)

    # The minimap shows the flow's width: its right end is the last group.
    shown = box_of(minimap.locator(".minimap-group").last)
    page.mouse.click(shown["x"] + shown["width"] / 2, shown["y"] + shown["height"] / 2)

    assert inside(box_of(last), canvas)
    assert not inside(box_of(step(page, 1)), canvas)
    view = box_of(minimap.locator(".minimap-view"))
    assert view["x"] <= shown["x"] + shown["width"] / 2 <= view["x"] + view["width"]

    # A drag on it follows the pointer, back to the first group.
    first = box_of(minimap.locator(".minimap-group").first)
    page.mouse.move(shown["x"] + shown["width"] / 2, shown["y"] + shown["height"] / 2)
    page.mouse.down()
    page.mouse.move(first["x"] + first["width"] / 2, first["y"] + 4, steps=8)
    page.mouse.up()
    assert inside(box_of(step(page, 1)), canvas)
    expect(page.locator(".settings h2")).to_have_text("Flow")  # nothing selected by the drag


def test_typing_in_a_block_redraws_that_block_only_and_undo_takes_the_words_back(
    page: Page, editor: EditorServer
) -> None:
    flow_id = wide_flow(editor, 12)
    open_flow(page, editor, flow_id)
    # A block elsewhere on the canvas: typing leaves it, and every exit, as they were.
    page.evaluate(
        """() => {
          window.untouched = document.querySelector('.block[data-block-id="g5-text"]');
          window.exitLines = [...document.querySelectorAll('.edges path.edge')];
        }"""
    )
    expect(page.locator(".edges path.edge")).to_have_count(12)  # Start's and 11 exits
    page.locator('.block[data-block-id="g2-text"]').click()
    field = page.get_by_label("Text", exact=True)
    field.click()
    page.keyboard.press("End")
    page.keyboard.type(", welcome back")

    edited = page.locator('.block[data-block-id="g2-text"] .block-summary')
    expect(edited).to_have_text("Message 3, welcome back")
    kept: dict[str, Any] = page.evaluate(
        """() => ({
          block: window.untouched.isConnected,
          exits: window.exitLines.every((line) => line.isConnected),
        })"""
    )
    assert kept == {"block": True, "exits": True}
    expect_saved(page)
    draft = editor.api.get(f"/flows/{flow_id}").json()["draft"]
    assert draft["groups"][2]["blocks"][0]["text"] == "Message 3, welcome back"

    page.locator(".canvas").click(position={"x": 40, "y": 40})  # deselects
    page.keyboard.press("Control+z")
    expect(edited).to_have_text("Message 3")
    page.keyboard.press("Control+Shift+z")
    expect(edited).to_have_text("Message 3, welcome back")


def test_a_group_renamed_in_its_settings_shows_its_new_title_and_undo_brings_the_old_one_back(
    page: Page, editor: EditorServer
) -> None:
    flow_id = wide_flow(editor, 12)
    open_flow(page, editor, flow_id)
    step(page, 1).locator(".group-header").click()
    page.get_by_label("Title", exact=True).fill("Welcome")

    expect(step(page, 1).locator(".group-title")).to_have_text("Welcome")
    expect(page.locator(".start-node")).to_have_attribute(
        "aria-label", "Start: chats begin in group Welcome"
    )
    expect_saved(page)
    assert editor.api.get(f"/flows/{flow_id}").json()["draft"]["groups"][0]["title"] == "Welcome"

    page.locator(".canvas").click(position={"x": 40, "y": 40})  # deselects
    page.get_by_label("Name", exact=True).fill("Wide onboarding")
    expect(page.locator(".flow-title")).to_have_text("Wide onboarding")
    page.locator(".canvas").click(position={"x": 40, "y": 40})
    page.keyboard.press("Control+z")
    expect(page.locator(".flow-title")).to_have_text("Wide")
    page.keyboard.press("Control+z")
    expect(step(page, 1).locator(".group-title")).to_have_text("Step 1")
