"""Typebot's own web embed (`@typebot.io/js` from npm) on a page of another origin chats with
`segflow serve` after changing nothing but `apiHost`: in Chromium, through the example flow."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect, sync_playwright

from tests.api.chats import summary
from tests.editor.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.serve_process import ServeProcess

EMBED = Path(__file__).parents[1] / "clients" / "node_modules" / "@typebot.io" / "js" / "dist"
PAGE = """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>A shop</title><link rel="icon" href="data:,"></head>
<body>
  <typebot-standard style="width: 100%; height: 640px"></typebot-standard>
  <script type="module">
    import Typebot from "./web.js";
    Typebot.initStandard({ typebot: "lead-capture", apiHost: "API_HOST" });
  </script>
</body>
</html>
"""


class _Website(ThreadingHTTPServer):
    """The shop's web server: its page and the embed's script, by path."""

    def __init__(self, files: dict[str, tuple[bytes, str]]) -> None:
        super().__init__(("127.0.0.1", 0), _Files)
        self.files = files


class _Files(BaseHTTPRequestHandler):
    server: _Website

    def do_GET(self) -> None:
        found = self.server.files.get(self.path.split("?")[0])
        body, kind = found or (b"Not found", "text/plain")
        self.send_response(200 if found else 404)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_args: object) -> None:  # no access log in the test's output
        pass


@pytest.fixture
def segflow_server(tmp_path: Path) -> Iterator[ServeProcess]:
    with ServeProcess(f"sqlite:///{tmp_path / 'segflow.db'}", tmp_path / "home") as server:
        yield server


@pytest.fixture
def website(segflow_server: ServeProcess) -> Iterator[str]:
    """The page on its own origin (localhost, another port), pointing at segflow's API."""
    script = EMBED / "web.js"
    assert script.exists(), "Run `npm ci --prefix tests/clients` first (scripts/test does)"
    page = PAGE.replace("API_HOST", segflow_server.url).encode()
    server = _Website(
        {
            "/": (page, "text/html; charset=utf-8"),
            "/web.js": (script.read_bytes(), "text/javascript"),
        }
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://localhost:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def page(website: str) -> Iterator[Page]:
    """The shop's page in Chromium; any error on the page fails the test."""
    errors: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            opened = browser.new_page(viewport={"width": 1000, "height": 800})
            opened.on(
                "console",
                lambda message: errors.append(message.text) if message.type == "error" else None,
            )
            opened.on("pageerror", lambda error: errors.append(str(error)))
            # Nothing but the website and segflow is called (no font CDN, say).
            opened.on("requestfailed", lambda request: errors.append(f"Failed: {request.url}"))
            opened.goto(website)
            yield opened
        finally:
            browser.close()
    assert not errors, "The page showed errors:\n" + "\n".join(errors)


def answer(page: Page, placeholder: str, text: str) -> None:
    """Types into the embed's answer box and sends it (Playwright's locators reach into the
    embed's shadow DOM)."""
    box = page.get_by_placeholder(placeholder)
    expect(box).to_be_visible(timeout=15_000)
    box.fill(text)
    box.press("Enter")


def test_typebots_embed_chats_through_the_example_flow(
    page: Page, segflow_server: ServeProcess
) -> None:
    bubbles = page.locator(".typebot-host-bubble")
    expect(bubbles.first).to_contain_text("Hi! I'm Ada, segflow's assistant.", timeout=15_000)
    bold = bubbles.first.locator(".slate-bold")
    expect(bold).to_have_text("Ada")
    assert int(bold.evaluate("node => getComputedStyle(node).fontWeight")) >= 600

    answer(page, "Your first name", "Grace")
    expect(page.locator(".typebot-guest-bubble").last).to_have_text("Grace")
    expect(bubbles.nth(1)).to_have_text(
        "Nice to meet you, Grace! What's your work email?", timeout=15_000
    )

    answer(page, "you@company.com", "grace@example")  # the browser takes it, segflow does not
    expect(bubbles.nth(2)).to_have_text(
        "This email doesn't seem to be valid. Can you type it again?", timeout=15_000
    )
    answer(page, "you@company.com", "grace@example.com")

    expect(bubbles.nth(3)).to_have_text("Which plan are you interested in?", timeout=15_000)
    page.get_by_role("button", name="Free").click()
    expect(page.locator(".typebot-guest-bubble").last).to_have_text("Free")

    thanks = bubbles.nth(4)
    expect(thanks).to_contain_text("Thanks Grace! We'll write to", timeout=15_000)
    expect(thanks.locator(".slate-italic")).to_have_text("grace@example.com")
    link = thanks.get_by_role("link", name="how Segment works")
    expect(link).to_have_attribute("href", "https://segment.com/docs/")
    expect(page.locator(".typebot-input")).to_have_count(0)  # the chat has ended

    events = segflow_server.collector.wait_for_events(8)
    user = "grace@example.com"
    assert summary(events) == [
        ("track", "Flow Started", None),
        ("page", "Welcome", None),
        ("page", "Email", None),
        ("identify", None, user),
        ("page", "Plan", user),
        ("page", "Thanks", user),
        ("track", "Lead Captured", user),
        ("track", "Flow Completed", user),
    ]
    identify = next(event["payload"] for event in events if event["payload"]["type"] == "identify")
    assert identify["traits"] == {"email": user, "name": "Grace"}
