"""Fixtures of the editor's tests: segflow on a private home, the editor served with a sender,
a real collector, and the editor open in Chromium (see tests/browsers.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from segflow.service import Segflow
from segflow.settings import Settings
from tests.editor.harness import EditorServer
from tests.servers import CollectorProcess


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
