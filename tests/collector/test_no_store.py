"""--no-store, for benchmarks: requests are checked and counted, nothing is kept."""

from __future__ import annotations

import httpx

from tests.collector.segment_messages import batch, track
from tests.servers import CollectorProcess


def test_without_storage_the_collector_still_checks_and_counts_but_lists_nothing() -> None:
    with CollectorProcess(None) as collector:
        accepted = httpx.post(
            f"{collector.url}/v1/batch", json=batch(track(), track()), auth=("bench-key", "")
        )
        refused = httpx.post(f"{collector.url}/v1/batch", content=b"{", auth=("bench-key", ""))
        listing = httpx.get(f"{collector.url}/events")

        assert accepted.json() == {"success": True}
        assert refused.status_code == 400
        assert collector.stats() == {"requests": 2, "events": 2}
        assert listing.status_code == 409
        assert listing.json() == {
            "success": False,
            "code": "not_storing",
            "message": "This collector runs with --no-store: it keeps no events or requests",
        }
        assert "not storing (--no-store)" in collector.output()
