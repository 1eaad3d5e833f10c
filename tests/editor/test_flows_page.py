"""The flows page: create, rename, duplicate, delete, import (with its report) and export."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Locator, Page, expect

from tests.editor.browser import screenshot
from tests.editor.harness import EditorServer

TYPEBOT_SAMPLE = (
    Path(__file__).resolve().parents[1] / "importers" / "fixtures" / "lead-capture.v6.1.json"
)


def row(page: Page, flow_id: str) -> Locator:
    return page.locator(f'tr[data-flow-id="{flow_id}"]')


def test_flows_are_renamed_duplicated_and_deleted(page: Page, editor: EditorServer) -> None:
    editor.api.post("/flows", json={"name": "Onboarding"}).raise_for_status()
    page.reload()

    row(page, "onboarding").get_by_role("button", name="Rename").click()
    dialog = page.get_by_role("dialog", name="Rename flow")
    dialog.get_by_label("Name").fill("Welcome tour")
    dialog.get_by_role("button", name="Rename").click()
    expect(row(page, "onboarding").locator(".flow-name")).to_have_text("Welcome tour")

    row(page, "onboarding").get_by_role("button", name="Duplicate").click()
    copy = row(page, "welcome-tour-copy")
    expect(copy.locator(".flow-name")).to_have_text("Welcome tour (copy)")
    assert (
        editor.api.get("/flows/welcome-tour-copy").json()["draft"]["groups"]
        == (editor.api.get("/flows/onboarding").json()["draft"]["groups"])
    )

    copy.get_by_role("button", name="Delete").click()
    page.get_by_role("dialog", name="Delete flow").get_by_role("button", name="Delete").click()
    expect(copy).to_have_count(0)

    export = row(page, "onboarding").get_by_role("link", name="Export")
    with page.expect_download() as download:
        export.click()
    assert download.value.suggested_filename == "onboarding.json"


def test_a_typebot_export_is_imported_with_its_report(page: Page, editor: EditorServer) -> None:
    page.get_by_label("Flow file to import").set_input_files(str(TYPEBOT_SAMPLE))

    dialog = page.get_by_role("dialog", name="Flow imported")
    expect(dialog).to_contain_text("was imported from a Typebot export")
    expect(dialog.locator(".finding").first).to_be_visible()
    screenshot(page, "editor-import.png")
    dialog.get_by_role("button", name="Open flow").click()
    expect(page.locator(".flow-title")).to_have_text(editor.api.get("/flows").json()[0]["name"])
    expect(page.locator(".group").first).to_be_visible()
