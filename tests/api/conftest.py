"""`segflow serve` for these tests: a fresh server per test where the database matters, and a
shared one (on SQLite) for the tests that only look at their own answers."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.api.chats import WITH_TRIAL_SIGNUP
from tests.serve_process import ServeProcess


@pytest.fixture
def server(database_url: str, tmp_path: Path) -> Iterator[ServeProcess]:
    """A server of its own, on SQLite and then on PostgreSQL."""
    with ServeProcess(database_url, tmp_path / "home", args=WITH_TRIAL_SIGNUP) as process:
        yield process


@pytest.fixture(scope="module")
def shared_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServeProcess]:
    folder = tmp_path_factory.mktemp("shared-server")
    database_url = f"sqlite:///{folder / 'segflow.db'}"
    with ServeProcess(database_url, folder / "home", args=WITH_TRIAL_SIGNUP) as process:
        yield process
