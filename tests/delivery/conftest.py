"""A segflow whose default destination is a real collector subprocess on the same database."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from segflow.delivery import SenderOptions
from segflow.delivery.backoff import Backoff
from segflow.service import Segflow
from segflow.settings import Settings
from tests.servers import CollectorProcess

# Short waits keep the suite quick; the behaviour is the same as with the defaults.
QUICK = SenderOptions(
    poll_interval=0.05, timeout=5, lease=10, backoff=Backoff(first=0.2, longest=1)
)


@pytest.fixture
def collector(database_url: str) -> Iterator[CollectorProcess]:
    with CollectorProcess(database_url) as running:
        yield running


@pytest.fixture
def segflow(home: Path, database_url: str, collector: CollectorProcess) -> Iterator[Segflow]:
    opened = Segflow.open(Settings(database_url=database_url, collector_url=collector.url))
    yield opened
    opened.close()
