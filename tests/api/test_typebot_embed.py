"""Typebot's own web embed (`@typebot.io/js` from npm) on a page of another origin chats with
`segflow serve` after changing nothing but `apiHost`: in Chromium, through the example flow."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.api.chats import summary
from tests.browsers import SCREENSHOTS
from tests.serve_process import ServeProcess

EMBED = Path(__file__).parents[1] / "clients" / "node_modules" / "@typebot.io" / "js" / "dist"
PAGE = """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>A shop</title><link rel="icon" href="data:,"></head>
<body>
  <typebot-standard style="width: 100%; height: 640px"></typebot-standard>
  <script type="module">
    import Typebot from "./web.js";
    const bot = location.hash.slice(1) || "lead-capture";
    Typebot.initStandard({ typebot: bot, apiHost: "API_HOST" });
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


@dataclass
class Visit:
    """The shop's page open in Chromium, and the errors it showed (the console's, the page's,
    and requests that failed: nothing but the website and segflow is called, no font CDN)."""

    page: Page
    errors: list[str] = field(default_factory=list)


@pytest.fixture
def visit(website: str, browser: Browser) -> Iterator[Visit]:
    context = browser.new_context(viewport={"width": 1000, "height": 800})
    try:
        opened = Visit(context.new_page())
        errors = opened.errors
        opened.page.on(
            "console",
            lambda message: errors.append(message.text) if message.type == "error" else None,
        )
        opened.page.on("pageerror", lambda error: errors.append(str(error)))
        opened.page.on("requestfailed", lambda request: errors.append(f"Failed: {request.url}"))
        yield opened
    finally:
        context.close()


def answer(page: Page, placeholder: str, text: str) -> None:
    """Types into the embed's answer box and sends it (Playwright's locators reach into the
    embed's shadow DOM)."""
    box = page.get_by_placeholder(placeholder)
    expect(box).to_be_visible(timeout=15_000)
    box.fill(text)
    box.press("Enter")


def test_typebots_embed_chats_through_the_example_flow(
    visit: Visit, website: str, segflow_server: ServeProcess
) -> None:
    page = visit.page
    page.goto(website)
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
    page.wait_for_timeout(6_000)  # the embed "types" the last bubble before showing it
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "typebot-embed.png"))  # for the README

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
    assert visit.errors == []


def test_typebots_embed_says_when_the_bot_does_not_exist(visit: Visit, website: str) -> None:
    visit.page.goto(f"{website}#no-such-flow")
    expect(visit.page.get_by_text("The bot you're looking for doesn't exist.")).to_be_visible(
        timeout=15_000
    )
    assert visit.errors == [
        "Failed to load resource: the server responded with a status of 404 (Not Found)"
    ]
