"""Collectors for these tests: a fresh one per test where storage matters, else a shared one."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.servers import CollectorProcess


@pytest.fixture
def collector(database_url: str) -> Iterator[CollectorProcess]:
    """A collector of its own, storing in SQLite and then in PostgreSQL."""
    with CollectorProcess(database_url) as process:
        yield process


@pytest.fixture(scope="session")
def _shared_collector(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CollectorProcess]:
    database = tmp_path_factory.mktemp("shared-collector") / "segflow.db"
    with CollectorProcess(f"sqlite:///{database}") as process:
        yield process


@pytest.fixture
def shared_collector(_shared_collector: CollectorProcess) -> Iterator[CollectorProcess]:
    """One collector for the tests that only look at their own requests; faults reset after each."""
    _shared_collector.clear_faults()
    yield _shared_collector
    _shared_collector.clear_faults()
