"""segflow with its default destination at a real collector subprocess, and its chat service.

One collector serves the module (with its own database); each test finds its own events by
the anonymous ID of its chats.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from segflow.chat import Chats
from segflow.delivery import SenderOptions
from segflow.service import Segflow
from segflow.settings import Settings
from tests.servers import CollectorProcess

QUICK = SenderOptions(poll_interval=0.05, timeout=5, lease=10)


@pytest.fixture(scope="module")
def collector(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CollectorProcess]:
    database = tmp_path_factory.mktemp("collector") / "collected.db"
    with CollectorProcess(f"sqlite:///{database}") as running:
        yield running


@pytest.fixture
def segflow(home: Path, database_url: str, collector: CollectorProcess) -> Iterator[Segflow]:
    opened = Segflow.open(Settings(database_url=database_url, collector_url=collector.url))
    yield opened
    opened.close()


@pytest.fixture
def chats(segflow: Segflow) -> Chats:
    return Chats(segflow)
