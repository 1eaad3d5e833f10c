"""The turn threads' queue: how many threads run turns at once, and what makes room for more.

On SQLite a chat turn is Python code and one write lock: several threads running turns at
once only pass the GIL and the lock to each other, and each hand-over is a thread switch that
costs more CPU than it saves. So there one thread at a time runs turns, taking one after the
other (on PostgreSQL two, one while the other waits on the database: see
`segflow.api.app.turns_at_once`). A long turn must not hold up the other chats, though, so
more run at once when
- a turn waits on a web service (an HTTP request block): its thread steps aside first
  (`step_aside`);
- a turn has run for OVERDUE (a regular expression near its time limit, a long loop) while
  others wait: it goes on, and the next turn starts beside it.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from typing import Generic, TypeVar

OVERDUE = 0.05  # seconds: a turn takes about a millisecond

Item = TypeVar("Item")

_serving = threading.local()  # `queue`: the TurnQueue this thread takes its work from


class TurnQueue(Generic[Item]):
    """Work for turn threads, of which at most `at_once` run at the same time (those that
    stepped aside or ran over OVERDUE not counted). A None is for one thread to stop."""

    def __init__(self, at_once: int) -> None:
        if at_once < 1:
            raise ValueError("A turn queue needs at least 1 turn at once")
        self._at_once = at_once
        self._changed = threading.Condition(threading.Lock())
        self._waiting: deque[Item | None] = deque()
        self._running: dict[int, float] = {}  # thread ID: when its work began (monotonic)
        self._watching = False  # a thread waits for the oldest running work to run over

    def put(self, item: Item | None) -> None:
        with self._changed:
            self._waiting.append(item)
            if item is None or len(self._running) < self._at_once or not self._watching:
                self._changed.notify()

    def take(self) -> Item | None:
        """The calling thread's next work, once it may run it: the one it ran is done."""
        me = threading.get_ident()
        _serving.queue = self
        with self._changed:
            self._running.pop(me, None)
            while True:
                now = time.monotonic()
                if self._waiting and (
                    len(self._running) < self._at_once or self._waiting[0] is None
                ):
                    item = self._waiting.popleft()
                    if item is not None:
                        self._running[me] = now
                    return item
                if not self._waiting or self._watching:
                    self._changed.wait()
                    continue
                oldest, began = min(self._running.items(), key=lambda running: running[1])
                if now - began >= OVERDUE:
                    del self._running[oldest]  # it goes on; the next work starts beside it
                    continue
                self._watching = True
                try:
                    self._changed.wait(began + OVERDUE - now)
                finally:
                    self._watching = False

    def step_aside(self) -> None:
        """The calling thread's work will wait a while: the next work may start meanwhile."""
        with self._changed:
            if self._running.pop(threading.get_ident(), None) is not None and self._waiting:
                self._changed.notify()


def step_aside() -> None:
    """Before a wait that may be long (a web service's answer): on a turn thread, the next
    turn may start meanwhile. Elsewhere it does nothing."""
    queue: TurnQueue[object] | None = getattr(_serving, "queue", None)
    if queue is not None:
        queue.step_aside()
