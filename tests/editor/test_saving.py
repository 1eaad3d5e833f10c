"""The Flow Editor never loses an edit: drafts are saved with their problems, leaving the
editor waits for the save, two editors of one flow get a conflict to settle instead of
overwriting each other, and edits made while the server is down are saved once it is back."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, BrowserContext, Dialog, Page, expect

from tests.editor.browser import add_block_to_canvas, add_block_to_group, expect_saved, group_card
from tests.editor.harness import TOKEN, EditorServer
from tests.serve_process import ServeProcess

# While the server is down the browser logs each failed request; those are expected here.
NETWORK_ERRORS = re.compile(r"^Failed to load resource")
SAVED = re.compile(r"^Saved( \(\d+ problems?\))?$")


@contextmanager
def logged_in(browser: Browser, url: str) -> Iterator[BrowserContext]:
    """A browser profile of its own, logged in to the editor at `url`; any script error fails
    the test."""
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    errors: list[str] = []

    def watch(page: Page) -> None:
        page.on(
            "console",
            lambda message: (
                errors.append(message.text)
                if message.type == "error" and not NETWORK_ERRORS.match(message.text)
                else None
            ),
        )
        page.on("pageerror", lambda error: errors.append(str(error)))

    context.on("page", watch)
    context.new_page().goto(f"{url}/editor/?token={TOKEN}")
    try:
        yield context
    finally:
        context.close()
    assert not errors, "The browser console showed errors:\n" + "\n".join(errors)


def open_flow(page: Page, url: str, flow_id: str) -> None:
    page.goto(f"{url}/editor/#/flows/{flow_id}")
    expect(group_card(page, "Welcome")).to_be_visible()
    expect(page.locator(".save-status")).to_have_text(SAVED)


def block_types(draft: dict[str, Any]) -> list[str]:
    return [block["type"] for group in draft["groups"] for block in group["blocks"]]


def add_segment_block(page: Page) -> None:
    """A new group holding a Segment block sending a Track Event, its Event Name still empty."""
    canvas = page.locator(".canvas").bounding_box()
    assert canvas is not None
    add_block_to_canvas(page, "Segment", canvas["x"] + 560, canvas["y"] + 360)
    page.locator("#segment-action").select_option("Track Event")


def test_unfinished_blocks_survive_a_reload_back_and_the_flows_link(
    page: Page, editor: EditorServer
) -> None:
    flow_id = editor.api.post("/flows", json={"name": "Unfinished"}).json()["id"]
    open_flow(page, editor.url, flow_id)

    add_segment_block(page)
    expect(page.locator(".save-status")).to_have_text(re.compile(r"^Saved \(\d+ problems?\)$"))
    page.reload()
    expect(page.locator(".save-status")).to_have_text(re.compile(r"^Saved \(\d+ problems?\)$"))
    expect(page.locator('.block[data-block-type="segment"]')).to_have_count(1)
    assert block_types(editor.api.get(f"/flows/{flow_id}").json()["draft"]) == ["segment"]

    # Left at once, before the next save was due: leaving waits for it.
    add_block_to_group(page, "Text", group_card(page, "Welcome"))
    page.get_by_role("link", name="← Flows").click()
    expect(page.get_by_role("heading", name="Flows")).to_be_visible()
    assert block_types(editor.api.get(f"/flows/{flow_id}").json()["draft"]) == ["text", "segment"]

    open_flow(page, editor.url, flow_id)
    add_block_to_group(page, "Email input", group_card(page, "Welcome"))
    page.go_back()
    expect(page.get_by_role("heading", name="Flows")).to_be_visible()
    draft = editor.api.get(f"/flows/{flow_id}").json()["draft"]
    assert block_types(draft) == ["text", "emailInput", "segment"]
    page.get_by_role("link", name="Unfinished").click()
    expect(page.locator(".block")).to_have_count(3)


def test_two_editors_of_one_flow_get_a_conflict_not_a_silent_loss(
    browser: Browser, editor: EditorServer
) -> None:
    flow_id = editor.api.post("/flows", json={"name": "Shared"}).json()["id"]
    with logged_in(browser, editor.url) as first, logged_in(browser, editor.url) as second:
        ada, bob = first.pages[0], second.pages[0]
        open_flow(ada, editor.url, flow_id)
        open_flow(bob, editor.url, flow_id)

        add_block_to_group(ada, "Text", group_card(ada, "Welcome"))
        ada.get_by_label("Text", exact=True).fill("Ada's greeting")
        expect_saved(ada)

        # Bob's editor still shows the draft without Ada's block: his save is refused.
        add_segment_block(bob)
        dialog = bob.get_by_role("dialog", name="This flow was changed elsewhere")
        expect(dialog).to_be_visible()
        expect(dialog).to_contain_text(re.compile(r"saved this flow at .+ \(revision \d+\)"))
        expect(bob.locator(".save-status")).to_have_text(
            "Not saved: this flow was changed elsewhere"
        )
        assert block_types(editor.api.get(f"/flows/{flow_id}").json()["draft"]) == ["text"]

        dialog.get_by_role("button", name="Keep mine").click()
        expect(dialog).to_be_hidden()
        expect(bob.locator(".save-status")).to_have_text(SAVED)
        saved = editor.api.get(f"/flows/{flow_id}").json()
        assert block_types(saved["draft"]) == ["segment"]

        # Ada's next change meets Bob's save; she takes his version.
        ada.get_by_label("Text", exact=True).fill("Ada's greeting, longer")
        theirs = ada.get_by_role("dialog", name="This flow was changed elsewhere")
        theirs.get_by_role("button", name="Reload theirs").click()
        expect(theirs).to_be_hidden()
        expect(ada.locator('.block[data-block-type="segment"]')).to_have_count(1)
        expect(ada.locator('.block[data-block-type="text"]')).to_have_count(0)
        expect(ada.locator(".editor-notice")).to_contain_text(
            "Reloaded the version saved elsewhere"
        )
        expect(ada.locator(".save-status")).to_have_text(SAVED)
        assert editor.api.get(f"/flows/{flow_id}").json()["draft"] == saved["draft"]


def test_edits_made_while_the_server_is_down_are_saved_once_it_is_back(
    browser: Browser, tmp_path: Path
) -> None:
    database_url = f"sqlite:///{tmp_path / 'segflow.db'}"
    token = {"SEGFLOW_EDITOR_TOKEN": TOKEN}
    with (
        ServeProcess(database_url, tmp_path / "home", environment=token) as server,
        logged_in(browser, server.url) as context,
    ):
        server.api.headers["Authorization"] = f"Bearer {TOKEN}"
        flow_id = server.api.post("/editor/api/flows", json={"name": "Offline"}).json()["id"]

        def saved_text() -> str:
            draft = server.api.get(f"/editor/api/flows/{flow_id}").json()["draft"]
            [block] = draft["groups"][0]["blocks"]
            text: str = block["text"]
            return text

        page = context.pages[0]
        open_flow(page, server.url, flow_id)
        add_block_to_group(page, "Text", group_card(page, "Welcome"))
        text = page.get_by_label("Text", exact=True)
        text.fill("Typed before the stop")
        expect_saved(page)

        # The tab stays open while the server is down: its edits are saved once it is back.
        server.stop()
        text.fill("Typed while the server was down")
        status = page.locator(".save-status")
        expect(status).to_have_text(
            re.compile(r"^Not saved: server unreachable, retrying in \d+ s$")
        )
        expect(page.get_by_role("button", name="Retry now")).to_be_visible()
        page.get_by_role("button", name="Preview", exact=True).click()
        expect(page.locator(".preview")).to_contain_text(
            "The draft is not saved yet (server unreachable)"
        )
        page.get_by_role("button", name="Preview", exact=True).click()
        server.start()
        expect(status).to_have_text("Saved", timeout=45_000)  # retried, with growing waits
        assert saved_text() == "Typed while the server was down"

        # This time the tab is closed while the server is down; leaving asks first.
        server.stop()
        text.fill("Typed, then the tab closed")
        expect(status).to_contain_text("Not saved: server unreachable")
        leaving = page.get_by_role("dialog", name="Unsaved changes")
        for leave in (page.get_by_role("link", name="← Flows").click, page.go_back):
            leave()
            expect(leaving).to_contain_text("The latest changes are not saved (server unreachable)")
            leaving.get_by_role("button", name="Stay").click()
            expect(leaving).to_be_hidden()
            expect(page).to_have_url(re.compile(f"#/flows/{flow_id}$"))
            expect(text).to_have_value("Typed, then the tab closed")
        asked: list[str] = []

        def stay(dialog: Dialog) -> None:
            asked.append(dialog.type)
            dialog.dismiss()

        page.once("dialog", stay)
        page.close(run_before_unload=True)
        expect(page.locator(".flow-editor")).to_be_visible()  # stayed
        assert asked == ["beforeunload"]
        page.close()

        # Back up, the flow is changed elsewhere before this browser opens it again: what it
        # kept is restored, and its save meets the conflict instead of overwriting.
        server.start()
        assert saved_text() == "Typed while the server was down"
        draft = server.api.get(f"/editor/api/flows/{flow_id}").json()["draft"]
        meanwhile = draft | {"description": "Changed elsewhere"}
        server.api.put(f"/editor/api/flows/{flow_id}/draft", json=meanwhile).raise_for_status()
        reopened = context.new_page()
        reopened.goto(f"{server.url}/editor/#/flows/{flow_id}")
        expect(reopened.locator(".editor-notice")).to_contain_text(
            "Restored the unsaved changes this browser kept"
        )
        conflict = reopened.get_by_role("dialog", name="This flow was changed elsewhere")
        conflict.get_by_role("button", name="Keep mine").click()
        expect_saved(reopened)
        assert saved_text() == "Typed, then the tab closed"
        reopened.reload()  # nothing kept any more: nothing restored
        expect_saved(reopened)
        expect(reopened.locator(".editor-notice")).to_be_hidden()
