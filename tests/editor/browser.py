"""What a person does in the editor, as Playwright steps: drag blocks from the palette, draw
exits, wait for the draft to be saved, take screenshots for the README."""

from __future__ import annotations

from playwright.sync_api import Locator, Page, expect

from tests.browsers import SCREENSHOTS


def drag(page: Page, source: Locator, x: float, y: float) -> None:
    """Presses on `source` (scrolled into view first, as a person would scroll the palette),
    moves to the page point (x, y) in steps, and lets go."""
    source.scroll_into_view_if_needed()
    box = source.bounding_box()
    assert box is not None, "the element to drag is not on screen"
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(x, y, steps=10)
    page.mouse.up()


def group_card(page: Page, title: str) -> Locator:
    return page.locator(".group").filter(has=page.locator(".group-title", has_text=title))


def add_block_to_group(page: Page, block_title: str, group: Locator) -> None:
    """Drags a block type from the palette to the end of a group."""
    box = group.bounding_box()
    assert box is not None
    item = page.locator(".palette-item", has_text=block_title).first
    drag(page, item, box["x"] + box["width"] / 2, box["y"] + box["height"] - 6)


def add_block_to_canvas(page: Page, block_title: str, x: float, y: float) -> None:
    """Drags a block type onto the empty canvas at (x, y): a new group holds it."""
    drag(page, page.locator(".palette-item", has_text=block_title).first, x, y)


def connect(page: Page, handle: Locator, group: Locator) -> None:
    """Draws an exit from a block's (or item's) handle to a group."""
    box = group.bounding_box()
    assert box is not None
    drag(page, handle, box["x"] + box["width"] / 2, box["y"] + 14)


def block_card(page: Page, block_type: str) -> Locator:
    return page.locator(f'.block[data-block-type="{block_type}"]')


def expect_saved(page: Page) -> None:
    expect(page.locator(".save-status")).to_have_text("Saved", timeout=10_000)


def screenshot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / name))
