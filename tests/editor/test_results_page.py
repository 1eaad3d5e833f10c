"""The Results page in the browser: a chat run through the chat API shows with its answers,
variables and delivered Segment message; its transcript opens beside the table; the CSV
download holds it."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.editor.browser import screenshot
from tests.editor.harness import EditorServer
from tests.editor.helpers import add_account
from tests.editor.test_results_api import (
    ASK_EMAIL,
    ASK_NAME,
    BYE,
    IDENTIFY,
    chat_through_the_api,
    published_flow,
    results_until_delivered,
)
from tests.servers import CollectorProcess


def test_the_results_page_shows_a_chat_with_its_answers_and_delivered_messages(
    page: Page, editor: EditorServer, collector: CollectorProcess, tmp_path: Path
) -> None:
    add_account(editor, "collector", collector.url, "wk-results-page-81c4")
    flow_id = published_flow(editor, "Lead capture", ASK_NAME, ASK_EMAIL, IDENTIFY, BYE)
    session_id = chat_through_the_api(editor, flow_id, "Ada", "ada@example.com")
    unfinished = chat_through_the_api(editor, flow_id, "Grace")
    results_until_delivered(editor, flow_id)
    page.reload()

    page.locator(f'tr[data-flow-id="{flow_id}"]').get_by_role("link", name="Results").click()
    expect(page.get_by_role("heading", name="Results: Lead capture")).to_be_visible()
    expect(page.locator(".results-count")).to_have_text("2 chats")
    row = page.locator(f'.result-row[data-chat-id="{session_id}"]')
    expect(row.locator(".answers")).to_have_text("Ada · ada@example.com")
    expect(row.locator('[data-variable="email"]')).to_have_text("ada@example.com")
    expect(row.locator(".chat-status")).to_have_text("completed")
    expect(row.locator('.sent[data-type="identify"] .state')).to_have_text("delivered")
    other = page.locator(f'.result-row[data-chat-id="{unfinished}"]')
    expect(other.locator(".chat-status")).to_have_text("active")
    expect(other.locator(".segment-messages")).to_have_text("")

    row.click()
    chat = page.get_by_role("complementary", name="Chat")
    expect(chat.locator(".bubble.user")).to_have_text(["Ada", "ada@example.com"])
    expect(chat.locator(".bubble.bot")).to_have_text(["Thanks Ada!"])
    identify = chat.locator('.event[data-type="identify"]')
    expect(identify.locator(".state")).to_have_text("delivered")
    expect(identify.locator(".event-summary")).to_have_text("ada@example.com")
    expect(identify.locator(".event-meta")).to_have_text("to collector")
    screenshot(page, "editor-results.png")

    with page.expect_download() as download:
        page.get_by_role("link", name="Download CSV").click()
    saved = tmp_path / "results.csv"
    download.value.save_as(saved)
    exported = saved.read_text()
    assert exported.startswith("Chat ID,Started (UTC),")
    assert session_id in exported and "ada@example.com" in exported and unfinished in exported

    page.get_by_label("Status").select_option("active")
    expect(page.locator(".results-count")).to_have_text("1 chat")
    expect(page.locator(".result-row")).to_have_count(1)
    expect(page.locator(".result-row")).to_have_attribute("data-chat-id", unfinished)
    with page.expect_download() as filtered:
        page.get_by_role("link", name="Download CSV").click()
    filtered.value.save_as(saved)
    assert session_id not in saved.read_text() and unfinished in saved.read_text()

    # Chats started from tomorrow on: none yet; from today on: the active one again.
    page.get_by_label("Started from").fill((date.today() + timedelta(days=1)).isoformat())
    expect(page.locator(".results-count")).to_have_text("0 chats")
    expect(page.locator("tbody")).to_contain_text("No chats match.")
    page.get_by_label("Started from").fill(date.today().isoformat())
    expect(page.locator(".results-count")).to_have_text("1 chat")

    # The editor's top bar leads to the Results too.
    page.get_by_role("link", name="Edit flow").click()
    page.get_by_role("link", name="Results").click()
    expect(page.get_by_role("heading", name="Results: Lead capture")).to_be_visible()
