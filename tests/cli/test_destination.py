"""`segflow destination update|rename|check|remove|default` from a terminal: each says what it
did in one line, and bad input ends with exit code 1 and one line saying what to fix."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.servers import CollectorProcess

RIGHT_KEY = "wk-right-key-5b2a"
WRONG_KEY = "wk-wrong-key-0000"


@pytest.fixture
def collector(tmp_path: Path) -> Iterator[CollectorProcess]:
    with CollectorProcess(f"sqlite:///{tmp_path / 'collector.db'}", write_keys=[RIGHT_KEY]) as up:
        yield up


def segflow_cli(home: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SEGFLOW_HOME": str(home), "COLUMNS": "200"}
    env.pop("SEGFLOW_DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "segflow", *args],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
    )


def said(result: subprocess.CompletedProcess[str]) -> str:
    return " ".join((result.stdout + result.stderr).split())


def add(home: Path, name: str, endpoint: str, write_key: str) -> None:
    result = segflow_cli(
        home, "destination", "add", name, "--endpoint", endpoint, "--write-key", write_key
    )
    assert result.returncode == 0, result.stderr


def queue_one(home: Path, account: str, event: str) -> None:
    sent = segflow_cli(home, "send", "track", event, "--user-id", "ada", "--destination", account)
    assert sent.returncode == 0, sent.stderr


def test_a_write_key_read_from_standard_input_delivers_the_waiting_messages(
    home: Path, collector: CollectorProcess
) -> None:
    add(home, "production", collector.url, WRONG_KEY)
    queue_one(home, "production", "Signed Up")
    refused = segflow_cli(home, "destination", "check", "production")
    assert refused.returncode == 1
    assert "The Write Key was refused: HTTP 401" in said(refused)

    updated = segflow_cli(
        home, "destination", "update", "production", "--write-key", "-", stdin=RIGHT_KEY
    )

    assert updated.returncode == 0, updated.stderr
    assert RIGHT_KEY not in updated.stdout
    assert said(updated) == (
        f"Updated destination production (custom: {collector.url}, Write Key …5b2a); "
        "its waiting messages are sent again now"
    )
    checked = segflow_cli(home, "destination", "check", "production")
    assert checked.returncode == 0
    assert said(checked) == (
        f'Sent an empty batch ({{"batch": []}}) to {collector.url}/v1/batch with the Write Key: '
        "no event, nothing that reaches your workspace's data. The collector accepted the "
        "Write Key (HTTP 200)."
    )
    delivered = segflow_cli(home, "deliver", "--until-empty")
    assert delivered.returncode == 0, delivered.stderr
    assert [event["payload"]["event"] for event in collector.events()] == ["Signed Up"]


def test_update_refuses_a_region_it_does_not_know(home: Path) -> None:
    add(home, "production", "us", RIGHT_KEY)

    wrong = segflow_cli(home, "destination", "update", "production", "--region", "asia")
    assert wrong.returncode == 1
    assert said(wrong) == "Error: --region is 'us' or 'eu', not 'asia'; use --endpoint for a URL"
    eu = segflow_cli(home, "destination", "update", "production", "--region", "eu")
    assert eu.returncode == 0
    assert said(eu).startswith("Updated destination production (eu: https://events.eu1.")


def test_rename_and_default(home: Path) -> None:
    add(home, "production", "us", RIGHT_KEY)
    add(home, "staging", "us", RIGHT_KEY)

    renamed = segflow_cli(home, "destination", "rename", "production", "live")
    assert (renamed.returncode, said(renamed)) == (0, "Renamed destination production to live")
    taken = segflow_cli(home, "destination", "rename", "staging", "live")
    assert (taken.returncode, said(taken)) == (
        1,
        "Error: A destination named 'live' already exists",
    )
    reserved = segflow_cli(home, "destination", "rename", "staging", "local collector")
    assert reserved.returncode == 1
    assert said(reserved).startswith(
        "Error: The name 'local collector' is too close to segflow's own 'Built-in test collector'"
    )
    made = segflow_cli(home, "destination", "default", "live")
    assert (made.returncode, said(made)) == (0, "live is now the default destination")


def test_remove_moves_or_drops_the_undelivered_messages_and_asks_before_dropping(
    home: Path, collector: CollectorProcess
) -> None:
    add(home, "old", collector.url, WRONG_KEY)
    add(home, "new", collector.url, RIGHT_KEY)
    queue_one(home, "old", "Moved")

    refused = segflow_cli(home, "destination", "remove", "old")
    assert (refused.returncode, said(refused)) == (
        1,
        "Error: Destination 'old' still has 1 undelivered message(s): move them to another "
        "account or drop them when removing it",
    )
    moved = segflow_cli(home, "destination", "remove", "old", "--move-to", "new")
    assert (moved.returncode, said(moved)) == (
        0,
        "Removed destination old; 1 undelivered message(s) moved to new",
    )

    queue_one(home, "new", "Dropped")
    kept = segflow_cli(home, "destination", "remove", "new", "--drop-queued", stdin="n\n")
    assert kept.returncode == 1
    assert "Drop 2 undelivered message(s) of new for good?" in said(kept)
    dropped = segflow_cli(home, "destination", "remove", "new", "--drop-queued", "--yes")
    assert (dropped.returncode, said(dropped)) == (
        0,
        "Removed destination new; 2 undelivered message(s) dropped",
    )
    assert "No destinations yet" in said(segflow_cli(home, "destination", "list"))


def test_add_says_what_it_took_off_the_endpoint_and_names_segment_regions(home: Path) -> None:
    copied = segflow_cli(
        home,
        "destination",
        "add",
        "eu",
        "--endpoint",
        "https://events.eu1.segmentapis.com/v1",
        "--write-key",
        RIGHT_KEY,
    )
    assert copied.returncode == 0, copied.stderr
    assert "Took /v1 off the end of the endpoint: segflow adds /v1/batch itself" in said(copied)
    assert "This is Segment's EU region ('eu')" in said(copied)
    assert "Added destination eu (eu: https://events.eu1.segmentapis.com," in said(copied)

    query = segflow_cli(
        home,
        "destination",
        "add",
        "bad",
        "--endpoint",
        "https://c.example.com/x?token=abc",
        "--write-key",
        RIGHT_KEY,
    )
    assert query.returncode == 1
    assert "has a query string (?token=abc)" in said(query)
    assert "Traceback" not in query.stderr
