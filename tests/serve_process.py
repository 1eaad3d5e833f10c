"""`segflow serve` as a real subprocess, like a user runs it: the chat API on a free port and its
built-in collector on another, over the database given.

with ServeProcess(database_url, home) as server:
    started = server.api.post("/api/v1/flows/lead-capture/startChat").json()
    ...
    assert len(server.collector.wait_for_events(2)) == 2
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import Any, Self

import httpx

from tests.conftest import free_port

# The banner's line naming the database, whole: the banner is printed by then.
BANNER_END = re.compile(r"^  Database .*\n", re.MULTILINE)


class ServeProcess:
    """`python -m segflow serve` on free ports; `args` adds CLI options, e.g. ["--flow", path].

    The collector port comes from SEGFLOW_COLLECTOR_URL, as for a user. `start()` again after
    `kill()` or `stop()` runs a new server on the same ports and database.
    """

    def __init__(
        self,
        database_url: str,
        home: Path,
        *,
        args: Sequence[str] = (),
        environment: dict[str, str] | None = None,
        startup_timeout: float = 60.0,
    ) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.collector_url = f"http://127.0.0.1:{free_port()}"
        self.command = [
            *(sys.executable, "-m", "segflow", "--database-url", database_url),
            *("serve", "--port", str(self.port), *args),
        ]
        self.environment = {
            **os.environ,
            "SEGFLOW_HOME": str(home),
            "SEGFLOW_COLLECTOR_URL": self.collector_url,
            **(environment or {}),
        }
        for name in ("SEGFLOW_DATABASE_URL", "SEGMENT_WRITE_KEY", "SEGMENT_ENDPOINT"):
            if name not in (environment or {}):
                self.environment.pop(name, None)
        self.startup_timeout = startup_timeout
        self._log_dir = tempfile.TemporaryDirectory(prefix="segflow-serve-")
        self._log = Path(self._log_dir.name) / "output.txt"
        self._process: subprocess.Popen[bytes] | None = None
        self.api = httpx.Client(base_url=self.url, timeout=30.0)
        self.collector = Collector(self.collector_url)

    # Life cycle

    def start(self) -> Self:
        earlier = len(self.output())
        with self._log.open("ab") as log:
            self._process = subprocess.Popen(
                self.command, stdout=log, stderr=subprocess.STDOUT, env=self.environment
            )
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"segflow serve exited with {self.exit_code}:\n{self.output()}")
            # Ready once /readyz says so and the banner, printed once all runs, is complete.
            if BANNER_END.search(self.output()[earlier:]) and self._ready():
                return self
            time.sleep(0.05)
        self.kill()
        raise RuntimeError(f"segflow serve did not start in time:\n{self.output()}")

    def _ready(self) -> bool:
        try:
            return self.api.get("/readyz", timeout=5.0).status_code == 200
        except httpx.TransportError:
            return False

    def stop(self, signal_number: int = signal.SIGTERM, timeout: float = 30.0) -> int:
        """Asks the server to stop (SIGTERM, or SIGINT for Ctrl+C); returns its exit code."""
        process = self._process
        if process is None:
            raise RuntimeError("segflow serve is not running")
        if process.poll() is None:
            process.send_signal(signal_number)
            try:
                process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                process.send_signal(signal.SIGABRT)  # with PYTHONFAULTHANDLER: every stack
                with contextlib.suppress(subprocess.TimeoutExpired):
                    process.wait(timeout=2)
                process.kill()
                process.wait()
                raise RuntimeError(
                    f"segflow serve did not stop in {timeout} s:\n{self.output()}"
                ) from None
        return process.returncode

    def kill(self) -> None:
        """SIGKILL: the server gets no chance to finish anything."""
        process = self._process
        if process is not None and process.poll() is None:
            process.kill()
            process.wait()

    @property
    def pid(self) -> int:
        if self._process is None:
            raise RuntimeError("segflow serve is not running")
        return self._process.pid

    @property
    def exit_code(self) -> int | None:
        return None if self._process is None else self._process.poll()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        _type: type[BaseException] | None,
        _error: BaseException | None,
        _traceback: TracebackType | None,
    ) -> None:
        if self._process is not None and self._process.poll() is None:
            with contextlib.suppress(RuntimeError):
                self.stop()
        self.api.close()
        self.collector.close()
        self._log_dir.cleanup()

    def output(self) -> str:
        """Everything the server printed so far, over all its starts."""
        return self._log.read_text(errors="replace") if self._log.exists() else ""


class Collector:
    """Reading what `serve`'s built-in collector received, through its HTTP API."""

    def __init__(self, url: str) -> None:
        self._http = httpx.Client(base_url=url, timeout=30.0)

    def events(self) -> list[dict[str, Any]]:
        """Every stored event, in the order received (oldest first)."""
        answer = self._http.get("/events", params={"limit": 100_000})
        answer.raise_for_status()
        return list(reversed(answer.json()["events"]))

    def events_or_none(self) -> list[dict[str, Any]] | None:
        """The events, or None when no collector answers."""
        try:
            return self.events()
        except httpx.TransportError:
            return None

    def set_faults(self, **faults: Any) -> dict[str, Any]:
        """Replace the faults: status, times, retry_after, delay, reject_event."""
        answer = self._http.put("/faults", json=faults)
        answer.raise_for_status()
        result: dict[str, Any] = answer.json()
        return result

    def wait_for_events(self, count: int, *, timeout: float = 15.0) -> list[dict[str, Any]]:
        """The events once at least `count` different messageIds arrived (or the timeout)."""
        deadline = time.monotonic() + timeout
        while True:
            events = self.events()
            distinct = {event["message_id"] for event in events}
            if len(distinct) >= count or time.monotonic() > deadline:
                return events
            time.sleep(0.05)

    def close(self) -> None:
        self._http.close()
