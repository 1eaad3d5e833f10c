"""`segflow outbox`: purging what is not delivered asks first, and status shows the lease
senders hold a batch for."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from segflow.segment import TrackEvent
from segflow.service import Segflow
from segflow.settings import Settings
from tests.deliver_process import DeliverProcess
from tests.servers import CollectorProcess


def segflow_command(database_url: str, *args: str) -> list[str]:
    return [sys.executable, "-m", "segflow", "--database-url", database_url, *args]


def environment(home: Path, **settings: str) -> dict[str, str]:
    return {**os.environ, "SEGFLOW_HOME": str(home), "COLUMNS": "200", **settings}


def purge_at_a_terminal(database_url: str, home: Path, answer: str) -> tuple[int, str]:
    """`outbox purge --queued` with a terminal as its input, answering `answer`."""
    terminal, typing_end = os.openpty()
    with subprocess.Popen(
        segflow_command(database_url, "outbox", "purge", "--queued"),
        stdin=typing_end,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env=environment(home),
    ) as process:
        os.close(typing_end)
        os.write(terminal, f"{answer}\n".encode())
        output, _ = process.communicate(timeout=60)
    os.close(terminal)
    return process.returncode, output.decode()


def test_purging_queued_messages_asks_how_many_and_refuses_without_a_terminal(
    home: Path, tmp_path: Path
) -> None:
    database_url = f"sqlite:///{tmp_path / 'segflow.db'}"
    segflow = Segflow.open(Settings(database_url=database_url))
    try:
        for n in range(3):
            segflow.send(TrackEvent(event_name=f"Lead {n}", user_id="u1"))

        piped = subprocess.run(
            segflow_command(database_url, "outbox", "purge", "--queued"),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=60,
            env=environment(home),
        )
        assert piped.returncode == 1
        assert piped.stderr.splitlines() == [
            "Error: segflow outbox purge --queued would delete 3 undelivered message(s) for "
            "good; add --yes to delete them without being asked"
        ]
        assert segflow.outbox.pending() == 3

        status, output = purge_at_a_terminal(database_url, home, "n")
        assert "Delete 3 undelivered message(s) for good? They will never reach Segment." in output
        assert status == 1
        assert "Nothing deleted" in output
        assert segflow.outbox.pending() == 3

        status, output = purge_at_a_terminal(database_url, home, "y")
        assert status == 0, output
        assert "Deleted 3 message(s) (delivered, queued)" in output
        assert segflow.outbox.pending() == 0

        segflow.send(TrackEvent(event_name="Lead 4", user_id="u1"))
        forced = subprocess.run(
            segflow_command(database_url, "outbox", "purge", "--queued", "--yes"),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=60,
            env=environment(home),
        )
        assert forced.returncode == 0, forced.stderr
        assert segflow.outbox.pending() == 0
    finally:
        segflow.close()


def test_senders_hold_a_batch_for_the_lease_of_the_setting_and_status_shows_it(
    database_url: str, home: Path
) -> None:
    lease = {"SEGFLOW_DELIVERY_LEASE_SECONDS": "90"}
    # A collector slow to answer keeps the batch in flight long enough to look at it.
    with CollectorProcess(None, args=["--delay", "5"]) as collector:
        segflow = Segflow.open(Settings(database_url=database_url, collector_url=collector.url))
        try:
            segflow.send(TrackEvent(event_name="Lead", user_id="u1"))
            sender = DeliverProcess(database_url, home, collector.url)
            sender.environment.update(lease)
            with sender:
                deadline = time.monotonic() + 30
                while not (counts := segflow.outbox.counts()[0]).in_flight:
                    assert time.monotonic() < deadline, sender.output()
                    time.sleep(0.02)
                assert counts.lease_until is not None
                assert 80 < counts.lease_until - time.time() <= 90
                shown = subprocess.run(
                    segflow_command(database_url, "outbox", "status"),
                    capture_output=True,
                    text=True,
                    timeout=60,
                    env=environment(home, **lease),
                )
                assert sender.stop(signal.SIGINT) == 0
            assert shown.returncode == 0, shown.stderr
            assert "lease 90 s (SEGFLOW_DELIVERY_LEASE_SECONDS" in shown.stdout
        finally:
            segflow.close()
