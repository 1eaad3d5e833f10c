"""What an operator's tools see of `segflow serve`: /healthz, /readyz and /metrics, on the chat
API's port, answered by a real server while it chats and delivers."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import httpx
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import create_engine, text

from tests.api.chats import answer
from tests.serve_process import ServeProcess

Found = TypeVar("Found")
COLLECTOR = "local-collector"
LEAD_CAPTURE = "/api/v1/flows/lead-capture/startChat"  # the example flow `serve` publishes


def wait_for(condition: Callable[[], Found | None], timeout: float = 30.0) -> Found:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if found := condition():
            return found
        time.sleep(0.1)
    raise TimeoutError("The condition did not hold in time")


Samples = dict[tuple[str, tuple[str, ...]], float]


def scrape(server: ServeProcess, **headers: str) -> Samples:
    """Every sample of /metrics, by name and label values."""
    page = server.api.get("/metrics", headers=headers)
    assert page.status_code == 200, page.text
    assert page.headers["content-type"].startswith("text/plain; version=0.0.4")
    return {
        (sample.name, tuple(sample.labels.values())): sample.value
        for family in text_string_to_metric_families(page.text)
        for sample in family.samples
    }


def test_health_and_readiness_answer_without_the_editor_token(tmp_path: Path) -> None:
    database = tmp_path / "segflow.db"
    with ServeProcess(f"sqlite:///{database}", tmp_path / "home") as server:
        assert server.api.get("/healthz").json() == {"status": "ok"}
        assert server.api.get("/readyz").json() == {"status": "ready"}

        # A database left at a schema this segflow does not know (another version wrote it).
        engine = create_engine(f"sqlite:///{database}")
        with engine.begin() as connection:
            connection.execute(text("UPDATE alembic_version SET version_num = '9999_future'"))
        engine.dispose()
        unready = server.api.get("/readyz")
        assert unready.status_code == 503
        assert "schema is at version 9999_future" in unready.json()["message"]
        assert server.api.get("/healthz").status_code == 200  # the process itself is fine


def test_metrics_scraped_during_a_delivery_show_the_counts_moving(tmp_path: Path) -> None:
    with ServeProcess(f"sqlite:///{tmp_path / 'segflow.db'}", tmp_path / "home") as server:
        before = scrape(server)
        assert before[("segflow_outbox_messages", (COLLECTOR, "queued"))] == 0
        assert before[("segflow_chat_turn_duration_seconds_count", ())] == 0

        server.collector.set_faults(status=503)  # the collector is down: messages wait
        started = server.api.post(LEAD_CAPTURE, json={"message": "Ada"})
        assert started.status_code == 200, started.text
        answer(server, started.json()["sessionId"], "ada@example.com")  # queues an Identify

        def retrying() -> Samples | None:
            samples = scrape(server)
            return (
                samples if samples[("segflow_outbox_messages", (COLLECTOR, "retrying"))] else None
            )

        held = wait_for(retrying)
        queued = held[("segflow_outbox_messages", (COLLECTOR, "queued"))]
        assert queued >= 1
        assert held[("segflow_outbox_oldest_queued_age_seconds", (COLLECTOR,))] > 0
        assert held[("segflow_chat_turn_duration_seconds_count", ())] == 2
        assert held.get(("segflow_messages_delivered_total", (COLLECTOR,)), 0) == 0
        assert held[("segflow_batch_duration_seconds_count", (COLLECTOR,))] >= 1

        server.collector.set_faults()  # back up: the backlog goes out

        def delivered() -> Samples | None:
            samples = scrape(server)
            # The sender counts a batch when the collector took it; the database marks it
            # delivered a moment later, beside the next send.
            counted = samples.get(("segflow_messages_delivered_total", (COLLECTOR,))) == queued
            marked = samples[("segflow_outbox_messages", (COLLECTOR, "queued"))] == 0
            return samples if counted and marked else None

        after = wait_for(delivered)
        assert after[("segflow_outbox_messages", (COLLECTOR, "queued"))] == 0
        assert after[("segflow_outbox_messages", (COLLECTOR, "retrying"))] == 0
        assert after[("segflow_outbox_oldest_queued_age_seconds", (COLLECTOR,))] == 0
        assert len(server.collector.wait_for_events(int(queued))) == queued


def test_a_metrics_token_keeps_metrics_from_whoever_lacks_it(tmp_path: Path) -> None:
    environment = {"SEGFLOW_METRICS_TOKEN": "scraper-secret"}
    home = tmp_path / "home"
    with ServeProcess(f"sqlite:///{tmp_path / 'segflow.db'}", home, environment=environment) as s:
        refused = s.api.get("/metrics")
        assert refused.status_code == 401
        assert refused.headers["www-authenticate"] == "Bearer"
        assert "SEGFLOW_METRICS_TOKEN" in refused.json()["message"]
        wrong = s.api.get("/metrics", headers={"Authorization": "Bearer guess"})
        assert wrong.status_code == 401
        samples = scrape(s, Authorization="Bearer scraper-secret")
        assert ("segflow_outbox_messages", (COLLECTOR, "dead")) in samples
        assert httpx.get(f"{s.url}/healthz").status_code == 200  # health needs no token
