"""Fixtures of the editor's tests: segflow on a private home, the editor served with a sender,
a real collector, and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from segflow.service import Segflow
from segflow.settings import Settings
from tests.editor.harness import EditorServer
from tests.servers import CollectorProcess

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def segflow(home: Path) -> Iterator[Segflow]:
    opened = Segflow.open(Settings())
    try:
        yield opened
    finally:
        opened.close()


@pytest.fixture
def editor(segflow: Segflow) -> Iterator[EditorServer]:
    with EditorServer(segflow) as server:
        yield server


@pytest.fixture
def collector(tmp_path: Path) -> Iterator[CollectorProcess]:
    with CollectorProcess(f"sqlite:///{tmp_path / 'collector.db'}") as process:
        yield process


@pytest.fixture(scope="session")
def chromium_path() -> str:
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        pytest.fail(
            "The editor's browser tests need Debian's Chromium: apt-get install -y chromium"
        )
    return CHROMIUM


@pytest.fixture(scope="session")
def browser(chromium_path: str) -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def page(browser: Browser, editor: EditorServer) -> Iterator[Page]:
    """The editor open in Chromium, logged in with its token; any console error fails the test."""
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    opened = context.new_page()
    errors: list[str] = []
    opened.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )
    opened.on("pageerror", lambda error: errors.append(str(error)))
    opened.goto(editor.login_url)
    try:
        yield opened
    finally:
        context.close()
    assert not errors, "The browser console showed errors:\n" + "\n".join(errors)
