"""Retention: what is past its keeping time is deleted a little at a time while senders and
chats go on; queued messages are never deleted by age, dead letters stay until purged."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import update

from segflow.segment import SegmentMessage, TrackEvent, build_message
from segflow.service import Segflow
from segflow.settings import Settings
from segflow.store.tables import outbox
from tests.servers import CollectorProcess

DAY = 86_400.0


def segflow_command(database_url: str, home: Path, *args: str, **environment: str) -> list[str]:
    return [sys.executable, "-m", "segflow", "--database-url", database_url, *args]


def run_segflow(
    database_url: str, home: Path, *args: str, environment: dict[str, str], timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SEGFLOW_HOME": str(home), "COLUMNS": "200", **environment}
    for name in ("SEGFLOW_DATABASE_URL", "SEGMENT_WRITE_KEY", "SEGMENT_ENDPOINT"):
        env.pop(name, None)
    return subprocess.run(
        [sys.executable, "-m", "segflow", "--database-url", database_url, *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
    )


def queue_tracks(segflow: Segflow, count: int, name: str) -> None:
    """Queues `count` Track Events `name`, each with a messageId of its own."""
    built = build_message(TrackEvent(event_name=name, user_id="u1"))
    own_id = built.message_id.encode()
    messages = [
        SegmentMessage(
            built.type,
            f"{n}-{built.message_id}"[:100],
            built.payload.replace(own_id, f"{n}-{built.message_id}"[:100].encode()),
        )
        for n in range(count)
    ]
    segflow.outbox.enqueue_many(messages, segflow.destinations.resolve().id)


def age(segflow: Segflow, days: float, **values: object) -> None:
    """Moves the messages queued in the last minute `days` into the past, with `values` set
    (`age` for a value: that time in the past)."""
    past = time.time() - days * DAY
    changed = {key: past if value is age else value for key, value in values.items()}
    with segflow.database.engine.begin() as connection:
        connection.execute(
            update(outbox)
            .where(outbox.c.created_at > time.time() - 60)
            .values(created_at=past, **changed)
        )


def test_a_sender_draining_100000_events_deletes_old_delivered_ones_and_loses_none(
    database_url: str, home: Path
) -> None:
    with CollectorProcess(None) as collector:  # --no-store: counts every event it takes
        segflow = Segflow.open(Settings(database_url=database_url, collector_url=collector.url))
        try:
            began = time.monotonic()
            # History: 20,000 messages delivered 8 days ago and 5 dead-lettered 30 days ago.
            queue_tracks(segflow, 20_000, "Delivered long ago")
            age(segflow, 8, state="delivered", finished_at=age)
            queue_tracks(segflow, 5, "Refused long ago")
            age(segflow, 30, state="dead", finished_at=age, last_error="HTTP 400")
            # 100,000 queued 10 days ago: old, and still to be sent, never deleted.
            queue_tracks(segflow, 100_000, "Waiting")
            age(segflow, 10)
            print(f"queued in {time.monotonic() - began:.1f} s")
            started = time.monotonic()
            done = run_segflow(
                database_url,
                home,
                "deliver",
                "--until-empty",
                environment={
                    "SEGFLOW_COLLECTOR_URL": collector.url,
                    "SEGFLOW_KEEP_DELIVERED_DAYS": "7",
                },
            )
            seconds = time.monotonic() - started
            assert done.returncode == 0, done.stdout + done.stderr
            assert "Delivered 100,000, dead-lettered 0, still queued 0" in done.stdout
            assert "Deleted 20,000 delivered messages older than 7 day(s)" in done.stderr
            assert collector.stats()["events"] == 100_000
            [counts] = segflow.outbox.counts()
            assert (counts.queued, counts.delivered, counts.dead) == (0, 100_000, 5)
            print(f"100,000 events delivered and 20,000 old ones deleted in {seconds:.1f} s")
        finally:
            segflow.close()
