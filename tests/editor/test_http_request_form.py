"""The HTTP request block in the editor: in the palette, its form drawn from its options, its
failure exit drawn on the canvas."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import Page, expect

from tests.editor.browser import (
    add_block_to_canvas,
    add_block_to_group,
    block_card,
    connect,
    expect_saved,
    group_card,
)
from tests.editor.harness import EditorServer


def test_an_http_request_block_is_added_and_its_url_filled_in(
    page: Page, editor: EditorServer
) -> None:
    flow_id: str = editor.api.post("/flows", json={"name": "Lookup"}).json()["id"]
    page.goto(f"{editor.url}/editor/#/flows/{flow_id}")
    welcome = group_card(page, "Welcome")
    expect(welcome).to_be_visible()

    add_block_to_group(page, "HTTP request", welcome)
    expect(block_card(page, "httpRequest")).to_be_visible()
    expect(page.locator('[data-path="url"] .field-error')).to_have_text("URL is required")
    expect(page.locator('[data-path="method"] select')).to_have_value("GET")
    page.locator('[data-path="url"] input').fill("https://api.example.com/users?page=1")
    page.locator('[data-path="timeout"] input').fill("5")

    # Its failure exit is drawn from its own handle to another group.
    canvas = page.locator(".canvas").bounding_box()
    assert canvas is not None
    add_block_to_canvas(page, "Text", canvas["x"] + 560, canvas["y"] + 360)
    page.get_by_label("Text", exact=True).fill("The service is down")
    sorry = page.locator(".group").filter(has=block_card(page, "text"))
    failure = block_card(page, "httpRequest").locator('[data-exit="failure"] .exit-handle')
    connect(page, failure, sorry)
    expect(failure).to_have_attribute("data-target", re.compile(r"^g-"))

    expect_saved(page)
    draft: dict[str, Any] = editor.api.get(f"/flows/{flow_id}").json()["draft"]
    [request] = [b for b in draft["groups"][0]["blocks"] if b["type"] == "httpRequest"]
    assert request["url"] == "https://api.example.com/users?page=1"
    assert request["timeout"] == 5
    assert request["failure"] == draft["groups"][1]["id"]
    assert "next" not in request

    # Deleting the group it leads to removes the exit too.
    sorry.locator(".group-header").click()
    page.get_by_role("button", name="Delete group").click()
    expect(failure).not_to_have_attribute("data-target", re.compile(".+"))
    expect_saved(page)
    draft = editor.api.get(f"/flows/{flow_id}").json()["draft"]
    assert "failure" not in draft["groups"][0]["blocks"][0]
