"""segflow's embed plays video and audio bubbles, links an embedded page, pauses where the
flow waits and follows a redirect, on a website of another origin."""

from __future__ import annotations

import json
import re

from playwright.sync_api import BrowserContext, expect

from tests.embed.chatting import inline_page, publish
from tests.embed.website import Website
from tests.serve_process import ServeProcess


def test_media_are_played_embeds_linked_and_the_visitor_sent_on(
    segflow_server: ServeProcess, website: Website, visitor: BrowserContext
) -> None:
    website.page("thanks.html", "<h1>Thanks for visiting</h1>")
    flow_id = publish(
        segflow_server,
        {
            "name": "Garden tour",
            "groups": [
                {
                    "id": "tour",
                    "title": "Tour",
                    "blocks": [
                        {"id": "hello", "type": "text", "text": "Here is our garden tour."},
                        {"id": "clip", "type": "video", "url": f"{website.url}/tour.mp4"},
                        {"id": "birds", "type": "audio", "url": f"{website.url}/birds.ogg"},
                        {"id": "map", "type": "embed", "url": f"{website.url}/map.html"},
                        {"id": "pause", "type": "wait", "seconds": 0.5},
                        {"id": "bye", "type": "text", "text": "Taking you to the shop."},
                        {"id": "go", "type": "redirect", "url": f"{website.url}/thanks.html"},
                    ],
                }
            ],
        },
    )
    page = visitor.new_page()
    page.goto(inline_page(website, segflow_server, "tour.html", flow=flow_id))
    chat = page.locator("#chat")

    expect(chat.locator("video")).to_have_attribute("src", f"{website.url}/tour.mp4")
    expect(chat.locator("video")).to_have_attribute("controls", "")
    expect(chat.locator("audio")).to_have_attribute("src", f"{website.url}/birds.ogg")
    link = chat.get_by_role("link", name=f"Open {website.url.removeprefix('http://')}")
    expect(link).to_have_attribute("href", f"{website.url}/map.html")
    expect(link).to_have_attribute("rel", "noopener noreferrer")
    expect(chat.locator("iframe")).to_have_count(0)  # an embed is a link, never a frame

    expect(page).to_have_url(f"{website.url}/thanks.html")
    expect(page.get_by_role("heading", name="Thanks for visiting")).to_be_visible()
    # The chat remembered its messages but none of its actions: coming back does not
    # send the visitor away again.
    stored = page.evaluate(
        "() => Object.keys(localStorage).map((key) => localStorage.getItem(key)).join()"
    )
    kept = re.findall(r'"type":"(\w+)"', stored)
    assert "redirect" not in kept and "wait" not in kept
    assert {"text", "video", "audio", "embed"} <= set(kept), json.dumps(stored)[:300]
