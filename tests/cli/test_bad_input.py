"""A newcomer's mistakes on the command line: each is one line saying what is wrong and a
non-zero exit status, never a traceback; and what a script relies on (versions, exit codes,
whole lines) holds."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from segflow import __version__
from tests.conftest import POSTGRES_ADMIN_URL, free_port


def segflow_cli(
    home: Path, *args: str, stdin: str = "", environment: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "SEGFLOW_HOME": str(home),
        # Nothing listens there: delivery fails, as with a collector not started yet.
        "SEGFLOW_COLLECTOR_URL": f"http://127.0.0.1:{free_port()}",
        **(environment or {}),
    }
    for name in ("SEGFLOW_DATABASE_URL", "SEGMENT_WRITE_KEY", "SEGMENT_ENDPOINT"):
        if name not in (environment or {}):
            env.pop(name, None)
    return subprocess.run(
        [sys.executable, "-m", "segflow", *args],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
    )


def one_error_line(ran: subprocess.CompletedProcess[str]) -> str:
    lines = ran.stderr.strip().splitlines()
    assert len(lines) == 1, ran.stderr
    assert lines[0].startswith("Error: ")
    return lines[0]


POSTGRES_BASE = POSTGRES_ADMIN_URL.rsplit("/", 1)[0]


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("postgresq://postgres@127.0.0.1/segflow", "is not one segflow uses"),
        ("mysql://root@127.0.0.1/segflow", "is not one segflow uses"),
        ("not a url", "is not a URL"),
        (f"postgresql://postgres:hunter2@127.0.0.1:{free_port()}/segflow", "Connection refused"),
        (f"{POSTGRES_BASE}/no_such_database_here", 'database "no_such_database_here"'),
    ],
)
def test_a_database_url_that_cannot_be_used_is_one_line(
    tmp_path: Path, url: str, says: str
) -> None:
    ran = segflow_cli(tmp_path / "home", "--database-url", url, "outbox", "status")
    assert ran.returncode == 1
    line = one_error_line(ran)
    assert says in line
    assert "hunter2" not in line  # the password stays out of terminals and logs


def test_a_flow_file_not_in_utf8_is_one_line(tmp_path: Path) -> None:
    flow = tmp_path / "latin1.yaml"
    flow.write_bytes("name: Café\n".encode("latin-1"))
    ran = segflow_cli(tmp_path / "home", "serve", "--port", str(free_port()), "--flow", str(flow))
    assert ran.returncode == 1
    assert "is not UTF-8 text" in one_error_line(ran)


def test_a_segflow_home_that_is_a_file_is_one_line(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.write_text("not a folder")
    ran = segflow_cli(home, "outbox", "status")
    assert ran.returncode == 1
    assert f"SEGFLOW_HOME is {home}, a file" in one_error_line(ran)


@pytest.mark.parametrize("port", ["99999", "-1", "http"])
def test_a_port_outside_what_tcp_allows_is_refused(tmp_path: Path, port: str) -> None:
    ran = segflow_cli(tmp_path / "home", "serve", "--port", port)
    assert ran.returncode == 2
    assert "Invalid value for '--port'" in one_error_line(ran)


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("http://127.0.0.1:99999", "has a port outside 0-65535"),
        ("localhost:8089", "is not an http:// URL with a host"),
    ],
)
def test_a_collector_url_it_cannot_listen_on_is_one_line(
    tmp_path: Path, url: str, says: str
) -> None:
    ran = segflow_cli(
        tmp_path / "home", "serve", "--port", "0", environment={"SEGFLOW_COLLECTOR_URL": url}
    )
    assert ran.returncode == 1
    assert one_error_line(ran) == f"Error: SEGFLOW_COLLECTOR_URL: {url} {says}" + (
        ", e.g. http://127.0.0.1:8089" if "http://" in says else ""
    )


def test_an_unknown_command_is_one_line_with_a_suggestion(tmp_path: Path) -> None:
    ran = segflow_cli(tmp_path / "home", "sendd")
    assert ran.returncode == 2
    assert "No such command 'sendd'. Did you mean 'send'?" in one_error_line(ran)


def test_version(tmp_path: Path) -> None:
    ran = segflow_cli(tmp_path / "home", "--version")
    assert (ran.returncode, ran.stdout, ran.stderr) == (0, f"segflow {__version__}\n", "")


def test_a_write_key_is_read_from_standard_input_without_a_warning(
    tmp_path: Path,
) -> None:
    home = tmp_path / "home"
    added = segflow_cli(
        home, "destination", "add", "prod", "--write-key", "-", stdin="wk-0123456789\n"
    )
    assert added.returncode == 0, added.stderr
    assert "Write Key …6789" in added.stdout
    assert added.stderr == ""  # no GetPassWarning, no prompt

    piped = segflow_cli(home, "destination", "add", "staging", stdin="wk-9876543210\n")
    assert piped.returncode == 0, piped.stderr
    assert ("Write Key …3210" in piped.stdout, piped.stderr) == (True, "")
    empty = segflow_cli(home, "destination", "add", "test", "--write-key", "-", stdin="\n")
    assert empty.returncode == 1
    assert "No Write Key" in one_error_line(empty)
    nothing = segflow_cli(home, "destination", "add", "test")
    assert nothing.returncode == 1
    assert "--write-key -" in one_error_line(nothing)


def test_delivery_with_a_time_limit_stops_and_says_what_stays_queued(tmp_path: Path) -> None:
    home = tmp_path / "home"
    started = time.monotonic()
    ran = segflow_cli(
        home, "send", "track", "Signed Up", "--user-id", "u-1", "--deliver", "--time-limit", "2"
    )
    assert time.monotonic() - started < 20  # not the two hours of retries
    assert ran.returncode == 1
    assert "--time-limit 2 s ran out with 1 message(s) still queued" in one_error_line_of_last(ran)
    assert ran.stdout.endswith("still queued 1\n")  # the summary line is a whole line

    again = segflow_cli(home, "deliver", "--until-empty", "--time-limit", "1", "-v")
    assert again.returncode == 1
    assert "httpcore" not in again.stderr  # -v: segflow's details, not every library's
    assert "still queued 1" in again.stdout


def one_error_line_of_last(ran: subprocess.CompletedProcess[str]) -> str:
    """The error that ends the output (warnings about the failed attempts come before it)."""
    errors = [line for line in ran.stderr.splitlines() if line.startswith("Error: ")]
    assert len(errors) == 1, ran.stderr
    assert ran.stderr.rstrip().endswith(errors[0])
    return errors[0]
