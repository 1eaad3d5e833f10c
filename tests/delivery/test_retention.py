"""Retention: what is past its keeping time is deleted a little at a time while senders and
chats go on; queued messages are never deleted by age, dead letters stay until purged."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from importlib.resources import as_file, files
from pathlib import Path

import httpx
import orjson
import pytest
from sqlalchemy import func, select, update

from segflow.chat import Chats, ChatSessionNotFoundError
from segflow.chat.results import Results
from segflow.collector.reading import list_events
from segflow.flow import read_document
from segflow.segment import SegmentMessage, TrackEvent, build_message
from segflow.service import Segflow
from segflow.settings import Settings
from segflow.store import Database, open_database
from segflow.store.tables import (
    chat_sessions,
    chat_turns,
    collected_events,
    collected_requests,
    outbox,
)
from tests.collector.segment_messages import batch, track
from tests.serve_process import ServeProcess
from tests.servers import CollectorProcess

DAY = 86_400.0
WRITE_KEY = "wk-retention-0001-abcd"


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
            # 100,000 to send, 1,000 of them queued 10 days ago: old, and never deleted by age.
            queue_tracks(segflow, 1_000, "Waiting long")
            age(segflow, 10)
            queue_tracks(segflow, 99_000, "Waiting")
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


def post_tracks(collector: CollectorProcess, *names: str) -> None:
    answer = httpx.post(
        f"{collector.url}/v1/batch",
        content=orjson.dumps(batch(*(track(name) for name in names))),
        auth=(WRITE_KEY, ""),
    )
    assert answer.status_code == 200, answer.text


def age_collected(database: Database, days: float) -> None:
    """Moves everything the collector received so far `days` into the past."""
    past = time.time() - days * DAY
    with database.engine.begin() as connection:
        connection.execute(update(collected_requests).values(received_at=past))
        connection.execute(update(collected_events).values(received_at=past))


def age_chats(segflow: Segflow, session_ids: list[str], *, started: float, answered: float) -> None:
    """Makes the chats start `started` days ago and last answer `answered` days ago."""
    now = time.time()
    with segflow.database.engine.begin() as connection:
        connection.execute(
            update(chat_sessions)
            .where(chat_sessions.c.id.in_(session_ids))
            .values(created_at=now - started * DAY, updated_at=now - answered * DAY)
        )


def test_prune_deletes_old_chats_and_collected_events_once_and_keeps_the_rest(
    database_url: str, home: Path
) -> None:
    segflow = Segflow.open(Settings(database_url=database_url))
    try:
        chats = Chats(segflow)
        with as_file(files("segflow") / "examples" / "lead-capture.yaml") as path:
            chats.flows.save(read_document(path), "lead-capture")
        chats.flows.publish("lead-capture")
        forgotten = [chats.start_chat("lead-capture").session.id for _ in range(3)]
        for session_id in forgotten:
            chats.continue_chat(session_id, "Ada")
        age_chats(segflow, forgotten, started=40, answered=35)
        # Started long ago, answered yesterday: still going, kept.
        lingering = chats.start_chat("lead-capture").session.id
        age_chats(segflow, [lingering], started=40, answered=1)
        recent = chats.start_chat("lead-capture").session.id
        with CollectorProcess(database_url, args=["--keep-days", "0"]) as collector:
            post_tracks(collector, "Old 1", "Old 2")
            age_collected(segflow.database, 8)
            post_tracks(collector, "New")
        queued_before = segflow.outbox.pending()

        done = run_segflow(
            database_url,
            home,
            "prune",
            environment={"SEGFLOW_KEEP_RESULTS_DAYS": "30", "SEGFLOW_COLLECTOR_KEEP_DAYS": "7"},
        )

        assert done.returncode == 0, done.stdout + done.stderr
        assert "3 chats older than 30 day(s)" in done.stdout
        assert "3 collector requests and events older than 7 day(s)" in done.stdout  # 1 + 2
        results = Results(segflow.database, segflow.outbox, chats.flows)
        listed = results.page("lead-capture").chats
        assert {chat.id for chat in listed} == {lingering, recent}
        with pytest.raises(ChatSessionNotFoundError):
            results.transcript("lead-capture", forgotten[0])
        with segflow.database.engine.connect() as connection:
            turns = connection.execute(
                select(func.count()).where(chat_turns.c.chat_session_id.in_(forgotten))
            ).scalar_one()
        assert turns == 0
        # Their Segment messages are queued still: never deleted by age.
        assert segflow.outbox.pending() == queued_before > 0
        assert [event.name for event in list_events(segflow.database.engine)] == ["New"]
    finally:
        segflow.close()


def test_the_collector_deletes_its_old_events_by_itself(database_url: str) -> None:
    database = open_database(database_url)
    try:
        with CollectorProcess(database_url, args=["--keep-days", "0"]) as collector:
            post_tracks(collector, "Old")
            age_collected(database, 3)
            post_tracks(collector, "New")
        with CollectorProcess(database_url, args=["--keep-days", "2"]) as collector:
            assert "keeping events 2 day(s)" in collector.output()
            deadline = time.monotonic() + 30
            while [event["name"] for event in collector.events()] != ["New"]:
                assert time.monotonic() < deadline, collector.events()
                time.sleep(0.05)
    finally:
        database.dispose()


def test_serve_deletes_old_delivered_messages_while_chats_go_on(
    database_url: str, home: Path
) -> None:
    segflow = Segflow.open(Settings(database_url=database_url))
    try:
        queue_tracks(segflow, 5_000, "Delivered long ago")
        age(segflow, 8, state="delivered", finished_at=age)
        server = ServeProcess(
            database_url,
            home,
            environment={"SEGFLOW_KEEP_DELIVERED_DAYS": "7", "SEGFLOW_NEW_CHATS_PER_MINUTE": "0"},
        )
        with server:
            started = server.api.post("/api/v1/flows/lead-capture/startChat")
            assert started.status_code == 200, started.text
            answered = server.api.post(
                f"/api/v1/sessions/{started.json()['sessionId']}/continueChat",
                json={"message": "Ada"},
            )
            assert answered.status_code == 200, answered.text
            deadline = time.monotonic() + 60
            while "Deleted 5,000 delivered messages" not in server.output():
                assert time.monotonic() < deadline, server.output()
                time.sleep(0.05)
            assert server.stop() == 0
        [counts] = segflow.outbox.counts()
        # What is left is the chat's own messages, delivered or still queued.
        assert 0 < counts.delivered + counts.queued < 5_000
    finally:
        segflow.close()
