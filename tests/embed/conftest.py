"""Fixtures of the web embed's tests: `segflow serve` as a subprocess (on SQLite, then on
PostgreSQL), a website on another origin, and visitors' browsers (see tests/browsers.py)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from playwright.sync_api import Browser, BrowserContext

from tests.conftest import POSTGRES_ADMIN_URL
from tests.embed.website import Website
from tests.serve_process import ServeProcess

EDITOR_TOKEN = "embed-test-editor-token"


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def segflow_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServeProcess]:
    """`segflow serve` with its example flow published, shared by a module's tests."""
    folder = tmp_path_factory.mktemp("serve")
    with _database(request.param, folder) as database_url:
        server = ServeProcess(
            database_url,
            folder / "home",
            environment={"SEGFLOW_EDITOR_TOKEN": EDITOR_TOKEN},
        )
        with server:
            yield server


@pytest.fixture(scope="module")
def website(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Website]:
    with Website(tmp_path_factory.mktemp("website")) as site:
        yield site


@pytest.fixture
def visitor(browser: Browser) -> Iterator[BrowserContext]:
    """A visitor's browser (its own cookies and storage); any console error fails the test."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    errors: list[str] = []
    context.on("console", lambda message: _keep_error(errors, message.type, message.text))
    context.on("weberror", lambda error: errors.append(str(error.error)))
    try:
        yield context
    finally:
        context.close()
    assert not errors, "The browser console showed errors:\n" + "\n".join(errors)


@pytest.fixture
def phone(browser: Browser) -> Iterator[BrowserContext]:
    """A visitor on a 360 px wide phone."""
    context = browser.new_context(
        viewport={"width": 360, "height": 740},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )
    try:
        yield context
    finally:
        context.close()


def _keep_error(errors: list[str], kind: str, text: str) -> None:
    if kind == "error":
        errors.append(text)


class _database:
    """A database URL for the server: a SQLite file, or a fresh PostgreSQL database."""

    def __init__(self, kind: str, folder: Path) -> None:
        self.kind = kind
        self.folder = folder
        self.name = f"segflow_test_{uuid.uuid4().hex[:12]}"

    def __enter__(self) -> str:
        if self.kind == "sqlite":
            return f"sqlite:///{self.folder / 'segflow.db'}"
        with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{self.name}"')
        return f"{POSTGRES_ADMIN_URL.rsplit('/', 1)[0]}/{self.name}"

    def __exit__(self, *_exception: object) -> None:
        if self.kind == "postgresql":
            with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
