"""The secret key that encrypts Write Keys, from a terminal: `segflow secret rotate` puts a new
key in while queued messages keep going out, and a Write Key no key decrypts any more stops
nothing but its own account, saying in one line how to type it again."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from tests.serve_process import ServeProcess
from tests.servers import CollectorProcess

RIGHT_KEY = "wk-right-key-5b2a"
STAGING_KEY = "wk-staging-key-9d41"
EDITOR_TOKEN = "secret-keys-test-token"
RE_ENTER = "segflow destination update production --write-key -"


def wait_for(condition: Callable[[], bool], timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while not (held := condition()) and time.monotonic() < deadline:
        time.sleep(0.05)
    return held


@pytest.fixture
def collector(tmp_path: Path) -> Iterator[CollectorProcess]:
    """A collector that accepts the accounts' own Write Keys only, as Segment would."""
    with CollectorProcess(
        f"sqlite:///{tmp_path / 'collector.db'}", write_keys=[RIGHT_KEY, STAGING_KEY]
    ) as up:
        yield up


class Terminal:
    """Runs `python -m segflow` with one home and database, as a user's shell would."""

    def __init__(self, home: Path, database_url: str) -> None:
        self.database_url = database_url
        self.environment = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("SEGFLOW_", "SEGMENT_"))},
            "SEGFLOW_HOME": str(home),
            "COLUMNS": "200",
        }

    def run(self, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "segflow", "--database-url", self.database_url, *args],
            env=self.environment,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=120,
        )

    def ok(self, *args: str, stdin: str = "") -> str:
        done = self.run(*args, stdin=stdin)
        assert done.returncode == 0, done.stdout + done.stderr
        return " ".join(done.stdout.split())

    def add(self, account: str, endpoint: str, write_key: str) -> None:
        added = ("destination", "add", account, "--endpoint", endpoint, "--write-key", "-")
        self.ok(*added, stdin=write_key)

    def queue(self, account: str, *events: str) -> None:
        for event in events:
            self.ok("send", "track", event, "--user-id", "ada", "--destination", account)


@pytest.fixture
def terminal(home: Path, database_url: str) -> Terminal:
    return Terminal(home, database_url)


def test_queued_messages_are_delivered_after_a_rotation_once_the_old_key_is_dropped(
    terminal: Terminal, home: Path, collector: CollectorProcess
) -> None:
    terminal.add("production", collector.url, RIGHT_KEY)
    terminal.queue("production", "Signed Up", "Upgraded", "Invited")
    key_file = home / "secret.key"
    old_key = key_file.read_text().strip()

    rotated = terminal.ok("secret", "rotate")

    assert rotated.startswith("Re-encrypted the Write Keys of 1 account(s) with the new key.")
    assert f"The key file {key_file} holds the new key first and 1 old one(s) after it" in rotated
    new_key, kept_old = key_file.read_text().split()
    assert kept_old == old_key != new_key
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert new_key not in rotated and old_key not in rotated

    key_file.write_text(new_key + "\n")  # the old key is gone for good
    delivered = terminal.ok("deliver", "--until-empty", "--time-limit", "60")

    assert delivered == "Delivered 3, dead-lettered 0, still queued 0"
    assert {event["payload"]["event"] for event in collector.events()} == {
        "Signed Up",
        "Upgraded",
        "Invited",
    }


def test_a_rotation_from_the_environment_says_what_to_set(
    home: Path, tmp_path: Path, collector: CollectorProcess
) -> None:
    terminal = Terminal(home, f"sqlite:///{tmp_path / 'segflow.db'}")
    old_key, new_key = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    terminal.environment["SEGFLOW_SECRET_KEY"] = old_key
    terminal.add("production", collector.url, RIGHT_KEY)
    terminal.queue("production", "Signed Up")

    rotated = terminal.ok("secret", "rotate", "--new-key", "-", stdin=new_key + "\n")

    assert rotated == (
        "Re-encrypted the Write Keys of 1 account(s) with the new key. Set SEGFLOW_SECRET_KEY to "
        "the new key followed by the old one(s), wherever segflow runs, and restart serve and "
        f"deliver: SEGFLOW_SECRET_KEY={new_key},{old_key} Once all run with it, the old key(s) "
        f"can be removed: SEGFLOW_SECRET_KEY={new_key}"
    )
    assert not (home / "secret.key").exists()
    terminal.environment["SEGFLOW_SECRET_KEY"] = new_key
    assert terminal.ok("deliver", "--until-empty", "--time-limit", "60") == (
        "Delivered 1, dead-lettered 0, still queued 0"
    )
    assert [event["payload"]["event"] for event in collector.events()] == ["Signed Up"]

    refused = terminal.run("secret", "rotate", "--new-key", "-", stdin="not-a-key")
    assert (refused.returncode, refused.stdout) == (1, "")
    assert " ".join(refused.stderr.split()).startswith(
        "Error: The new key (--new-key -) is not a valid Fernet key (32 url-safe "
        "base64-encoded bytes)"
    )


def test_deliver_until_empty_stops_at_once_on_a_write_key_no_key_decrypts(
    home: Path, tmp_path: Path, collector: CollectorProcess
) -> None:
    terminal = Terminal(home, f"sqlite:///{tmp_path / 'segflow.db'}")
    terminal.add("production", collector.url, RIGHT_KEY)
    terminal.queue("production", "Signed Up", "Upgraded")
    # The key file is lost: a new secret key from now on, and a new account saved with it.
    terminal.environment["SEGFLOW_SECRET_KEY"] = Fernet.generate_key().decode()
    terminal.add("staging", collector.url, STAGING_KEY)
    terminal.queue("staging", "Staged")

    started = time.monotonic()
    stuck = terminal.run("deliver", "--until-empty")
    took = time.monotonic() - started

    assert stuck.returncode == 1
    assert stuck.stderr.splitlines() == [
        "Error: Account 'production': Write Key cannot be decrypted with SEGFLOW_SECRET_KEY: "
        f"re-enter it with `{RE_ENTER}` (or restore the secret key it was saved with). Its "
        "messages stay queued"
    ]
    assert stuck.stdout == "Delivered 1, dead-lettered 0, still queued 2\n"
    assert [event["payload"]["event"] for event in collector.events()] == ["Staged"]

    started = time.monotonic()
    status = terminal.ok("outbox", "status")
    # deliver stops about as soon as a command that sends nothing: it starts, sees, says.
    looking = time.monotonic() - started
    assert took < looking + 10, f"deliver took {took:.1f} s, outbox status {looking:.1f} s"
    assert "Account 'production': Write Key cannot be decrypted with SEGFLOW_SECRET_KEY" in status

    terminal.ok("destination", "update", "production", "--write-key", "-", stdin=RIGHT_KEY)
    assert terminal.ok("deliver", "--until-empty", "--time-limit", "60") == (
        "Delivered 2, dead-lettered 0, still queued 0"
    )
    assert "cannot be decrypted" not in terminal.ok("outbox", "status")


def test_serve_starts_and_names_the_account_whose_write_key_no_key_decrypts(
    home: Path, tmp_path: Path, collector: CollectorProcess
) -> None:
    database_url = f"sqlite:///{tmp_path / 'segflow.db'}"
    terminal = Terminal(home, database_url)
    terminal.add("production", collector.url, RIGHT_KEY)
    terminal.queue("production", "Signed Up")
    # To segflow's own account (the default while no other is): its key is saved encrypted too.
    terminal.ok("send", "track", "Tried Locally", "--user-id", "ada")
    changed = {"SEGFLOW_SECRET_KEY": Fernet.generate_key().decode(), "COLUMNS": "200"}
    changed["SEGFLOW_EDITOR_TOKEN"] = EDITOR_TOKEN

    with ServeProcess(database_url, home, environment=changed) as server:  # /readyz answers 200
        assert (
            "  Accounts   Account 'production': Write Key cannot be decrypted with "
            f"SEGFLOW_SECRET_KEY: re-enter it with `{RE_ENTER}` (or restore the secret key it "
            "was saved with)"
        ) in server.output().splitlines()
        # The built-in collector's account takes its key from segflow again: its chats deliver.
        started = server.api.post("/api/v1/flows/lead-capture/startChat")
        assert started.status_code == 200, started.text
        arrived = server.collector.wait_for_events(1)
        assert arrived[0]["payload"]["event"] == "Tried Locally"

        server.api.headers["Authorization"] = f"Bearer {EDITOR_TOKEN}"
        accounts = {a["name"]: a for a in server.api.get("/editor/api/destinations").json()}
        assert accounts["production"]["health"] == "undecryptable"
        assert accounts["local-collector"]["health"] == "healthy"

        # The sender backs the account off, retrying quietly: one warning, no traceback.
        warned = wait_for(lambda: server.output().count("Account 'production'") >= 2)
        assert warned and "Traceback" not in server.output()
        assert server.output().count("Account 'production'") == 2
    assert collector.events() == []
