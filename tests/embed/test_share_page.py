"""The share page, /chat/{flowId}: the published flow's chat on a page of its own; and the
embed's files, which any website may load."""

from __future__ import annotations

import httpx
from playwright.sync_api import Browser, BrowserContext, expect

from tests.embed.chatting import FLOW, answer
from tests.embed.conftest import EDITOR_TOKEN
from tests.embed.website import Website
from tests.serve_process import ServeProcess


def test_the_share_page_shows_the_published_flows_chat(
    segflow_server: ServeProcess, visitor: BrowserContext
) -> None:
    page = visitor.new_page()
    answer_page = page.goto(f"{segflow_server.url}/chat/{FLOW}")
    assert answer_page is not None and answer_page.status == 200
    expect(page).to_have_title("Lead capture")
    expect(page.get_by_role("heading", level=1)).to_have_text("Lead capture")
    chat = page.get_by_role("region", name="Lead capture")
    expect(chat.get_by_role("log")).to_contain_text("What's your name?")
    answer(chat, "Ada", focused=False)
    expect(chat.get_by_role("log")).to_contain_text("Nice to meet you, Ada!")
    page.reload()  # the page remembers its chat like any embed
    expect(chat.get_by_role("log")).to_contain_text("Nice to meet you, Ada!")


def test_an_unknown_or_unpublished_flow_has_no_share_page(
    segflow_server: ServeProcess, browser: Browser
) -> None:
    editor = httpx.Client(
        base_url=f"{segflow_server.url}/editor/api",
        headers={"Authorization": f"Bearer {EDITOR_TOKEN}"},
    )
    with editor:
        created = editor.post("/flows", json={"name": "Only a draft"})
        assert created.status_code == 201, created.text
    page = browser.new_page()  # its console shows the 404s: no `visitor` here
    for flow_id in ("no-such-flow", created.json()["id"]):
        shown = page.goto(f"{segflow_server.url}/chat/{flow_id}")
        assert shown is not None and shown.status == 404
        expect(page.get_by_role("heading", level=1)).to_have_text("This chat is not available")
        expect(page.get_by_role("main")).to_contain_text(f"No published chat is called “{flow_id}”")
    page.close()


def test_any_website_may_load_the_embed_without_the_editor_token(
    segflow_server: ServeProcess, website: Website
) -> None:
    origin = {"Origin": website.url}
    for path, media_type in (
        ("/embed/segflow.js", "text/javascript"),
        ("/embed/segflow.css", "text/css"),
    ):
        answer = segflow_server.api.get(path, headers=origin)
        assert answer.status_code == 200
        assert answer.headers["content-type"].startswith(media_type)
        assert answer.headers["access-control-allow-origin"] == "*"
        assert "max-age=86400" in answer.headers["cache-control"]
        assert answer.headers["etag"]
        again = segflow_server.api.get(path, headers={"If-None-Match": answer.headers["etag"]})
        assert again.status_code == 304
    for missing in ("/embed/nothing.js", "/embed/../router.py", "/embed/%2e%2e/router.py"):
        assert segflow_server.api.get(missing).status_code == 404, missing
