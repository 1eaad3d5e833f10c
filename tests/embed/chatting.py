"""What a visitor does with segflow's embed, as Playwright steps, and the pages that carry it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
from playwright.sync_api import Locator, Page, expect

from tests.browsers import SCREENSHOTS
from tests.embed.conftest import EDITOR_TOKEN
from tests.embed.website import Website
from tests.serve_process import ServeProcess

FLOW = "lead-capture"
AXE = Path(__file__).resolve().parents[1] / "clients" / "node_modules" / "axe-core" / "axe.min.js"
SHOP = (
    "<header><h1>Acme shop</h1></header>\n<main>\n<h2>Spring offers</h2>\n"
    "<p>Everything you need for your garden, delivered tomorrow.</p>\n"
    "<ul><li>Seeds and bulbs</li><li>Tools</li><li>Garden furniture</li></ul>\n</main>\n"
)
# The shop's own look, which the chat must neither take on nor disturb.
SHOP_STYLE = """<style>
body { margin: 0; font: 16px/1.5 Georgia, serif; color: #222; background: #fbfaf7; }
header { padding: 1rem 2rem; background: #2f5d3a; color: #fff; }
header h1 { margin: 0; font-size: 1.6rem; }
main { max-width: 720px; padding: 1rem 2rem; }
button { background: #2f5d3a; color: #fff; border: 0; padding: 0.6rem 1rem; }
</style>
"""


def snippet(server: ServeProcess, mode: str, *, flow: str = FLOW, **data: str) -> str:
    """The script tag a website owner pastes, with extra data-* attributes."""
    extra = "".join(f' data-{name.replace("_", "-")}="{value}"' for name, value in data.items())
    return (
        f'<script type="module" src="{server.url}/embed/segflow.js" '
        f'data-flow="{flow}" data-mode="{mode}"{extra}></script>'
    )


def publish(server: ServeProcess, document: dict[str, Any]) -> str:
    """Saves and publishes a flow through the editor's API, as a chatbot builder does."""
    with httpx.Client(
        base_url=f"{server.url}/editor/api",
        headers={"Authorization": f"Bearer {EDITOR_TOKEN}"},
        timeout=30.0,
    ) as editor:
        created = editor.post("/flows", json={"name": document["name"]})
        created.raise_for_status()
        flow_id: str = created.json()["id"]
        editor.put(f"/flows/{flow_id}/draft", json=document).raise_for_status()
        editor.post(f"/flows/{flow_id}/publish").raise_for_status()
    return flow_id


def bubble_page(website: Website, server: ServeProcess, name: str, **data: str) -> str:
    return website.page(name, SHOP + snippet(server, "bubble", **data), head=SHOP_STYLE)


def inline_page(website: Website, server: ServeProcess, name: str, *, flow: str = FLOW) -> str:
    body = SHOP.replace(
        "</main>",
        '<section aria-label="Talk to us" id="chat" style="height: 560px"></section>\n</main>',
    )
    chat = snippet(server, "inline", flow=flow, target="#chat")
    return website.page(name, body + chat, head=SHOP_STYLE)


def open_bubble(page: Page) -> Locator:
    """Clicks the launcher; answers the chat panel."""
    page.get_by_role("button", name="Chat", exact=True).click()
    panel = page.get_by_role("dialog", name="Chat")
    expect(panel).to_be_visible()
    return panel


def answer(chat: Locator, text: str, *, focused: bool = True) -> None:
    field = chat.get_by_label("Your answer")
    if focused:
        expect(field).to_be_focused()  # the keyboard is where the visitor answers
    field.fill(text)
    chat.get_by_role("button", name="Send").click()


def complete_the_example_chat(
    chat: Locator, *, focused: bool = True, screenshot: str | None = None
) -> None:
    """Name, an invalid email then a valid one, the Free button: the end. `focused`: the
    first question has the keyboard focus (a bubble just opened; not an inline chat).
    `screenshot`: a file name in docs/screenshots for the page once the buttons show."""
    log = chat.get_by_role("log")
    expect(log).to_contain_text("What's your name?")
    answer(chat, "Ada", focused=focused)
    expect(log).to_contain_text("Nice to meet you, Ada! What's your work email?")
    expect(chat.get_by_label("Your answer")).to_have_attribute("type", "email")
    answer(chat, "ada-at-example")
    expect(log).to_contain_text("This email doesn't seem to be valid. Can you type it again?")
    answer(chat, "ada@example.com")
    expect(log).to_contain_text("Which plan are you interested in?")
    choices = chat.get_by_role("group", name="Choose an answer")
    expect(choices.get_by_role("button")).to_have_text(["Free", "Team", "Enterprise"])
    if screenshot:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        chat.page.screenshot(path=str(SCREENSHOTS / screenshot), full_page=True)
    choices.get_by_role("button", name="Free").click()
    expect(log).to_contain_text("Thanks Ada! We'll write to ada@example.com soon.")
    expect(log.get_by_role("link", name="how Segment works")).to_be_visible()
    expect(chat).to_contain_text("The chat has ended.")


def remembered_chat(page: Page, server: ServeProcess) -> dict[str, Any]:
    """What the embed keeps in the page's localStorage about the chat."""
    stored = page.evaluate("key => localStorage.getItem(key)", f"segflow:chat:{server.url}:{FLOW}")
    assert stored, "the embed remembered no chat"
    remembered: dict[str, Any] = json.loads(stored)
    return remembered


def serious_accessibility_violations(page: Page) -> list[str]:
    """axe-core's serious and critical findings on the page, one line each."""
    page.add_script_tag(path=str(AXE))
    violations = page.evaluate("async () => (await axe.run(document)).violations")
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']}: "
        + ", ".join(str(node["target"]) for node in violation["nodes"])
        for violation in violations
        if violation["impact"] in ("serious", "critical")
    ]
