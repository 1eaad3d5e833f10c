"""Ctrl+C and SIGTERM for the commands that run until stopped (`serve`, `deliver`).

The first signal asks to stop: its handler only sets a flag, which the main thread polls, and
the command then finishes what is in flight. A handler runs on the main thread between two
bytecodes, possibly while that thread holds a lock (e.g. inside `Event.wait`): a handler
that takes a lock, as `Event.set()` or printing does, can wait for itself forever. The second
signal exits at once.
"""

from __future__ import annotations

import os
import signal
import time
from types import FrameType, TracebackType
from typing import Any, Self

POLL_INTERVAL = 0.1  # seconds between two looks at the flag


class StopSignals:
    """Within `with StopSignals() as signals:`, SIGINT and SIGTERM set `signals.requested`."""

    SIGNALS = (signal.SIGINT, signal.SIGTERM)

    def __init__(self) -> None:
        self.requested = False
        self._previous: dict[signal.Signals, Any] = {}

    def __enter__(self) -> Self:
        self._previous = {sig: signal.signal(sig, self._on_signal) for sig in self.SIGNALS}
        return self

    def __exit__(
        self,
        _type: type[BaseException] | None,
        _error: BaseException | None,
        _traceback: TracebackType | None,
    ) -> None:
        for sig, handler in self._previous.items():
            signal.signal(sig, handler)

    def wait(self, timeout: float) -> bool:
        """Sleeps until a stop is requested or `timeout` passes; True if requested."""
        ends = time.monotonic() + timeout
        while not self.requested and (left := ends - time.monotonic()) > 0:
            time.sleep(min(POLL_INTERVAL, left))
        return self.requested

    def _on_signal(self, signum: int, _frame: FrameType | None) -> None:
        if self.requested:
            # A second Ctrl+C: whatever is in flight stays queued (its claim runs out).
            os._exit(128 + signum)
        self.requested = True
