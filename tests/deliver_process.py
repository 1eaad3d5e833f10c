"""`segflow deliver` as a real subprocess, like a user (or a process manager) runs it.

with DeliverProcess(database_url, home, collector_url) as sender:
    ...queue messages; they reach the collector...
    assert sender.stop(signal.SIGINT) == 0
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import Self

READY = "segflow deliver is sending. Press Ctrl+C to stop."


class DeliverProcess:
    """`python -m segflow deliver` sending to the local collector at `collector_url`;
    `start()` again after `stop()` runs a new sender on the same database."""

    def __init__(
        self,
        database_url: str,
        home: Path,
        collector_url: str,
        *,
        args: Sequence[str] = (),
        startup_timeout: float = 30.0,
    ) -> None:
        self.command = [
            *(sys.executable, "-m", "segflow", "--database-url", database_url, "deliver"),
            *args,
        ]
        self.environment = {
            **os.environ,
            "SEGFLOW_HOME": str(home),
            "SEGFLOW_COLLECTOR_URL": collector_url,
            "PYTHONFAULTHANDLER": "1",  # a stop that hangs shows every thread (SIGABRT)
        }
        for name in ("SEGFLOW_DATABASE_URL", "SEGMENT_WRITE_KEY", "SEGMENT_ENDPOINT"):
            self.environment.pop(name, None)
        self.startup_timeout = startup_timeout
        self._log_dir = tempfile.TemporaryDirectory(prefix="segflow-deliver-")
        self._log = Path(self._log_dir.name) / "output.txt"
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> Self:
        earlier = len(self.output())
        with self._log.open("ab") as log:
            self._process = subprocess.Popen(
                self.command, stdout=log, stderr=subprocess.STDOUT, env=self.environment
            )
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"segflow deliver exited early:\n{self.output()}")
            if f"{READY}\n" in self.output()[earlier:]:  # whole, once Ctrl+C is handled
                return self
            time.sleep(0.02)
        self._process.kill()
        raise RuntimeError(f"segflow deliver did not start in time:\n{self.output()}")

    def stop(self, signal_number: int, timeout: float = 30.0) -> int:
        """Sends the signal; returns the exit code, or raises if it does not stop in time."""
        process = self._process
        if process is None:
            raise RuntimeError("segflow deliver is not running")
        process.send_signal(signal_number)
        try:
            return process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.send_signal(signal.SIGABRT)
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=2)
            process.kill()
            process.wait()
            raise RuntimeError(
                f"segflow deliver did not stop in {timeout} s:\n{self.output()}"
            ) from None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        _type: type[BaseException] | None,
        _error: BaseException | None,
        _traceback: TracebackType | None,
    ) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.kill()
            self._process.wait()
        self._log_dir.cleanup()

    def output(self) -> str:
        return self._log.read_text(errors="replace") if self._log.exists() else ""
