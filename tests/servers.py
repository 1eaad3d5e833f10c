"""Real servers for tests: the segflow collector as a subprocess, like a user would run it.

with CollectorProcess(database_url) as collector:
    ...send to collector.url...
    assert collector.wait_for_events(3)[0]["type"] == "track"
"""

from __future__ import annotations

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


class CollectorProcess:
    """`python -m segflow collector` on a free port; `database_url=None` runs it with --no-store.

    `args` adds CLI options, e.g. ["--fail-status", "503"]; `write_keys` limits the accepted keys.
    """

    def __init__(
        self,
        database_url: str | None,
        *,
        write_keys: Sequence[str] = (),
        args: Sequence[str] = (),
        startup_timeout: float = 30.0,
        host: str = "127.0.0.1",
    ) -> None:
        self.port = free_port()
        self.url = f"http://{host}:{self.port}"
        self.command = [sys.executable, "-m", "segflow", "collector", "--port", str(self.port)]
        self.command += ["--host", host]
        if database_url is None:
            self.command.append("--no-store")
        else:
            self.command += ["--database-url", database_url]
        for key in write_keys:
            self.command += ["--write-key", key]
        self.command += list(args)
        self.startup_timeout = startup_timeout
        self._log_dir = tempfile.TemporaryDirectory(prefix="segflow-collector-")
        self._log = Path(self._log_dir.name) / "output.txt"
        self._process: subprocess.Popen[bytes] | None = None
        self._http = httpx.Client(base_url=self.url, timeout=30.0)

    # Life cycle

    def start(self) -> Self:
        with self._log.open("wb") as log:
            self._process = subprocess.Popen(self.command, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(
                    f"The collector exited with {self._process.returncode}:\n{self.output()}"
                )
            try:
                if self._http.get("/health", timeout=1.0).status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"The collector did not answer /health in time:\n{self.output()}")

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self._http.close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        _type: type[BaseException] | None,
        _error: BaseException | None,
        _traceback: TracebackType | None,
    ) -> None:
        self.stop()
        self._log_dir.cleanup()

    def output(self) -> str:
        """Everything the collector printed so far (its listening line, errors)."""
        return self._log.read_text(errors="replace") if self._log.exists() else ""

    # What it received

    def events(
        self, *, type: str | None = None, message_id: str | None = None, limit: int = 10_000
    ) -> list[dict[str, Any]]:
        """Stored events, newest first; each has its `payload` as the sender sent it."""
        params: dict[str, str | int] = {"limit": limit}
        if type is not None:
            params["type"] = type
        if message_id is not None:
            params["message_id"] = message_id
        events: list[dict[str, Any]] = self._get("/events", params)["events"]
        return events

    def event(self, event_id: int) -> dict[str, Any]:
        return self._get(f"/events/{event_id}")

    def requests(self, *, limit: int = 10_000) -> list[dict[str, Any]]:
        """Every request, newest first: path, auth, gzip, body_bytes, events, status, answer."""
        requests: list[dict[str, Any]] = self._get("/requests", {"limit": limit})["requests"]
        return requests

    def stats(self) -> dict[str, int]:
        """Requests received and events accepted since start (counted even with --no-store)."""
        return self._get("/stats")

    def wait_for_events(
        self, count: int, *, timeout: float = 10.0, type: str | None = None
    ) -> list[dict[str, Any]]:
        """Wait until at least `count` events are stored; for senders that deliver in the
        background."""
        deadline = time.monotonic() + timeout
        while True:
            events = self.events(type=type)
            if len(events) >= count or time.monotonic() > deadline:
                return events
            time.sleep(0.05)

    # Faults

    def faults(self) -> dict[str, Any]:
        return self._get("/faults")

    def set_faults(self, **faults: Any) -> dict[str, Any]:
        """Replace the faults: status, times, retry_after, delay, reject_event."""
        answer = self._http.put("/faults", json=faults)
        if answer.status_code != 200:
            raise ValueError(answer.json()["message"])
        result: dict[str, Any] = answer.json()
        return result

    def clear_faults(self) -> None:
        self._http.delete("/faults").raise_for_status()

    def _get(self, path: str, params: dict[str, str | int] | None = None) -> Any:
        answer = self._http.get(path, params=params)
        answer.raise_for_status()
        return answer.json()
