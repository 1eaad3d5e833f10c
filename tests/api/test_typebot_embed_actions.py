"""Typebot's own web embed (`@typebot.io/js`) performs segflow's Wait and Redirect, given as
Typebot's `clientSideActions`: it shows the bubbles, pauses, and sends the visitor on."""

from __future__ import annotations

import threading
from pathlib import Path

from playwright.sync_api import Browser, expect

from tests.api.test_typebot_embed import EMBED, PAGE, _Website
from tests.serve_process import ServeProcess

FLOW = Path(__file__).with_name("flows") / "typebot-actions.yaml"
THANKS = b"<!doctype html><title>Shop</title><h1>The shop</h1>"


def test_typebots_embed_pauses_and_follows_the_redirect(browser: Browser, tmp_path: Path) -> None:
    database = f"sqlite:///{tmp_path / 'segflow.db'}"
    with ServeProcess(database, tmp_path / "home", args=("--flow", str(FLOW))) as segflow:
        script = EMBED / "web.js"
        assert script.exists(), "Run `npm ci --prefix tests/clients` first (scripts/test does)"
        page_html = PAGE.replace("API_HOST", segflow.url).replace(
            "Typebot.initStandard({ typebot: bot,",
            "Typebot.initStandard({ prefilledVariables: { shop: location.origin + '/shop' }, "
            "typebot: bot,",
        )
        assert "prefilledVariables" in page_html
        website = _Website(
            {
                "/": (page_html.encode(), "text/html; charset=utf-8"),
                "/web.js": (script.read_bytes(), "text/javascript"),
                "/shop": (THANKS, "text/html; charset=utf-8"),
            }
        )
        thread = threading.Thread(target=website.serve_forever, daemon=True)
        thread.start()
        context = browser.new_context()
        try:
            page = context.new_page()
            page.goto(f"http://localhost:{website.server_address[1]}/#typebot-actions")
            bubbles = page.locator(".typebot-host-bubble")
            expect(bubbles.first).to_contain_text("Welcome to the tour", timeout=15_000)
            page.wait_for_url("**/shop", timeout=20_000)
            expect(page.get_by_role("heading", name="The shop")).to_be_visible()
        finally:
            context.close()
            website.shutdown()
            website.server_close()
