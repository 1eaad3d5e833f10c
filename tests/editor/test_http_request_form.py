"""The HTTP request block in the editor: in the palette, its form drawn from its options."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page, expect

from tests.editor.browser import add_block_to_group, block_card, expect_saved, group_card
from tests.editor.harness import EditorServer


def test_an_http_request_block_is_added_and_its_url_filled_in(
    page: Page, editor: EditorServer
) -> None:
    flow_id: str = editor.api.post("/flows", json={"name": "Lookup"}).json()["id"]
    page.goto(f"{editor.url}/editor/#/flows/{flow_id}")
    welcome = group_card(page, "Welcome")
    expect(welcome).to_be_visible()

    add_block_to_group(page, "HTTP request", welcome)
    expect(block_card(page, "http_request")).to_be_visible()
    expect(page.locator('[data-path="url"] .field-error')).to_have_text("URL is required")
    expect(page.locator('[data-path="method"] select')).to_have_value("GET")
    page.locator('[data-path="url"] input').fill("https://api.example.com/users?page=1")
    page.locator('[data-path="timeout"] input').fill("5")

    expect_saved(page)
    draft: dict[str, Any] = editor.api.get(f"/flows/{flow_id}").json()["draft"]
    [request] = [b for b in draft["groups"][0]["blocks"] if b["type"] == "http_request"]
    assert request["url"] == "https://api.example.com/users?page=1"
    assert request["timeout"] == 5
