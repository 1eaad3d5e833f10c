"""After Publish: the share link, the snippets that put the chat on a website, a live preview
of the bubble, and a marker while the draft differs from the published version."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.editor.browser import drag, expect_saved, group_card, screenshot
from tests.editor.harness import EditorServer
from tests.editor.helpers import saved_flow

GREETING = {"id": "hello", "type": "text", "text": "Hello from the **shop**! Your name?"}
ASK_NAME = {"id": "ask-name", "type": "textInput", "variable": "name"}


def test_publishing_shows_the_share_link_the_snippets_and_a_live_bubble(
    page: Page, editor: EditorServer
) -> None:
    flow_id = saved_flow(editor, "Shop greeter", GREETING, ASK_NAME, variables=[{"name": "name"}])
    page.goto(f"{editor.url}/editor/#/flows/{flow_id}")
    expect(page.locator(".version")).to_have_text("not published yet")
    expect(page.get_by_role("button", name="Share")).to_be_disabled()

    page.get_by_role("button", name="Publish").click()
    expect(page.locator(".save-status")).to_have_text("Published version 1")
    panel = page.get_by_role("complementary", name="Share")
    expect(panel).to_be_visible()
    expect(panel.get_by_role("link", name=f"{editor.url}/chat/{flow_id}")).to_be_visible()
    bubble = panel.get_by_label("Put a chat bubble on your website")
    expect(bubble).to_have_value(
        f'<script type="module" src="{editor.url}/embed/segflow.js"\n'
        f'        data-flow="{flow_id}" data-mode="bubble"></script>'
    )
    inline = panel.get_by_label("Or show the chat inside your page")
    expect(inline).to_contain_text('data-mode="inline" data-target="#chat"')
    typebot = panel.get_by_label("Already use Typebot's embed? Point it at segflow")
    expect(typebot).to_contain_text("https://cdn.jsdelivr.net/npm/@typebot.io/js@0.10/dist/web.js")
    expect(typebot).to_contain_text(
        f'Typebot.initBubble({{ typebot: "{flow_id}", apiHost: "{editor.url}" }});'
    )
    expect(page.locator(".unpublished-changes")).to_be_hidden()

    # The live preview: the bubble as a visitor sees it, chatting with the published version.
    page.locator("iframe.bubble-preview").scroll_into_view_if_needed()
    preview = page.frame_locator("iframe.bubble-preview")
    preview.get_by_role("button", name="Chat", exact=True).click()
    chat = preview.get_by_role("dialog", name="Chat")
    expect(chat.get_by_role("log")).to_have_text("Hello from the shop! Your name?")
    chat.get_by_label("Your answer").fill("Ada")
    chat.get_by_label("Your answer").press("Enter")
    expect(chat.get_by_role("log")).to_contain_text("Ada")
    expect(chat).to_contain_text("The chat has ended.")
    screenshot(page, "editor-share.png")

    # The share link opens the chat on its own page.
    shared = page.context.new_page()
    shared.goto(f"{editor.url}/chat/{flow_id}")
    expect(shared.get_by_role("log")).to_contain_text("Hello from the shop! Your name?")
    shared.close()

    panel.get_by_role("button", name="Close sharing").click()
    expect(panel).to_be_hidden()


def test_a_draft_changed_since_publishing_is_marked_until_published_again(
    page: Page, editor: EditorServer
) -> None:
    flow_id = saved_flow(editor, "Shop greeter", GREETING, ASK_NAME, variables=[{"name": "name"}])
    editor.api.post(f"/flows/{flow_id}/publish").raise_for_status()
    page.goto(f"{editor.url}/editor/#/flows/{flow_id}")
    expect(page.locator(".version")).to_have_text("published: version 1")
    marker = page.get_by_text("Unpublished changes")
    expect(marker).to_be_hidden()

    title = group_card(page, "Welcome").locator(".group-title")
    box = title.bounding_box()
    assert box is not None
    drag(page, title, box["x"] + 160, box["y"] + 120)  # moving a group changes the draft too
    expect_saved(page)
    expect(marker).to_be_visible()

    page.goto(f"{editor.url}/editor/#/")
    row = page.locator(f'tr[data-flow-id="{flow_id}"]')
    expect(row).to_contain_text("Published, version 1")
    expect(row).to_contain_text("Unpublished changes")

    page.goto(f"{editor.url}/editor/#/flows/{flow_id}")
    expect(marker).to_be_visible()
    page.get_by_role("button", name="Publish").click()
    expect(page.locator(".version")).to_have_text("published: version 2")
    expect(marker).to_be_hidden()
    page.get_by_role("button", name="Close sharing").click()
    page.get_by_role("button", name="Share").click()
    expect(page.get_by_role("complementary", name="Share")).to_contain_text("Version 2 is live")


def test_the_editor_api_says_whether_the_draft_differs_from_the_published_version(
    editor: EditorServer,
) -> None:
    flow_id = saved_flow(editor, "Shop greeter", GREETING, ASK_NAME, variables=[{"name": "name"}])
    flow = editor.api.get(f"/flows/{flow_id}").json()
    assert (flow["publishedVersion"], flow["unpublishedChanges"]) == (None, False)
    assert flow["typebotId"] == flow_id

    editor.api.post(f"/flows/{flow_id}/publish").raise_for_status()
    assert editor.api.get(f"/flows/{flow_id}").json()["unpublishedChanges"] is False

    changed = flow["draft"]
    changed["groups"][0]["blocks"][0]["text"] = "Hi there! Your name?"
    saved = editor.api.put(f"/flows/{flow_id}/draft", json=changed).json()
    assert saved["unpublishedChanges"] is True
    listed = {summary["id"]: summary for summary in editor.api.get("/flows").json()}
    assert listed[flow_id]["unpublishedChanges"] is True

    editor.api.post(f"/flows/{flow_id}/publish").raise_for_status()
    assert editor.api.get(f"/flows/{flow_id}").json()["unpublishedChanges"] is False
