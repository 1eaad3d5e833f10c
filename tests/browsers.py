"""Debian's Chromium driven by Playwright, for every browser test of the suite (the editor's,
the web embed's): one browser per test session, as Playwright's sync API runs once per thread.
Loaded as a plugin by tests/conftest.py."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright

CHROMIUM = "/usr/bin/chromium"
# The README's screenshots are refreshed only when asked, with
# SEGFLOW_SCREENSHOTS=docs/screenshots; otherwise they go to a temporary folder, so that a
# test run leaves the working tree as it found it.
SCREENSHOTS = Path(
    os.environ.get("SEGFLOW_SCREENSHOTS") or Path(tempfile.gettempdir()) / "segflow-screenshots"
)
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


@pytest.fixture(scope="session")
def chromium_path() -> str:
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        pytest.fail("The browser tests need Debian's Chromium: apt-get install -y chromium")
    return CHROMIUM


@pytest.fixture(scope="session")
def browser(chromium_path: str) -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()
