"""What /metrics shows Prometheus: each destination's backlog, read from the database at each
scrape (so it is right whichever process queues or sends), and what this process did since it
started (messages delivered and dead-lettered, batch and chat turn durations), counted as it
happens. Each `Metrics` has a registry of its own: no global state shared between apps."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import TYPE_CHECKING

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from segflow.delivery import Outbox

if TYPE_CHECKING:
    from segflow.delivery.sender import DeliveryReport

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
# Sending a batch: a few milliseconds to a local collector, up to the HTTP timeout (15 s).
BATCH_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15, 30)
# A chat turn: a millisecond or two, more with HTTP Request blocks or a busy database.
TURN_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)


class Metrics:
    """The metrics of one segflow process over `outbox`; `render()` is the /metrics page."""

    def __init__(self, outbox: Outbox) -> None:
        self.registry = CollectorRegistry()
        self.registry.register(_Backlog(outbox))
        self._delivered = Counter(
            "segflow_messages_delivered",
            "Messages this process delivered, per destination.",
            ["destination"],
            registry=self.registry,
        )
        self._dead = Counter(
            "segflow_messages_dead_lettered",
            "Messages this process dead-lettered (refused by the destination or out of "
            "attempts), per destination.",
            ["destination"],
            registry=self.registry,
        )
        self._batches = Histogram(
            "segflow_batch_duration_seconds",
            "Time to send one batch to its destination and read the answer, per destination.",
            ["destination"],
            buckets=BATCH_BUCKETS,
            registry=self.registry,
        )
        self._turns = Histogram(
            "segflow_chat_turn_duration_seconds",
            "Time the chat API took to run one chat turn (a start or an answer); its _count "
            "is the number of turns.",
            buckets=TURN_BUCKETS,
            registry=self.registry,
        )

    def batch_sent(self, destination: str, report: DeliveryReport, seconds: float) -> None:
        """The sender sent a batch to `destination` (a Sender's `on_batch` hook)."""
        self._batches.labels(destination).observe(seconds)
        if report.delivered:
            self._delivered.labels(destination).inc(report.delivered)
        if report.dead:
            self._dead.labels(destination).inc(report.dead)

    def turn_done(self, seconds: float) -> None:
        """The chat API ran a turn (a TurnRunner's `on_turn` hook)."""
        self._turns.observe(seconds)

    def render(self) -> bytes:
        return generate_latest(self.registry)


class _Backlog(Collector):
    """Per destination: messages queued (retrying ones included), retrying, dead-lettered, and
    the age of the oldest queued one, as the outbox reads them at each scrape."""

    def __init__(self, outbox: Outbox) -> None:
        self._outbox = outbox

    def collect(self) -> Iterator[Metric]:
        messages = GaugeMetricFamily(
            "segflow_outbox_messages",
            "Messages in the outbox per destination and state: queued (retrying ones "
            "included), retrying (queued after a failed attempt), dead (dead-lettered).",
            labels=["destination", "state"],
        )
        oldest = GaugeMetricFamily(
            "segflow_outbox_oldest_queued_age_seconds",
            "Age of the oldest message still queued per destination (0 when none is).",
            labels=["destination"],
        )
        now = time.time()
        for row in self._outbox.backlog():
            messages.add_metric([row.destination, "queued"], row.queued)
            messages.add_metric([row.destination, "retrying"], row.retrying)
            messages.add_metric([row.destination, "dead"], row.dead)
            queued_at = row.oldest_queued_at
            oldest.add_metric(
                [row.destination], 0.0 if queued_at is None else max(now - queued_at, 0.0)
            )
        yield messages
        yield oldest
