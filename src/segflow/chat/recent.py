"""The chats a process saved last, so that an answer to one of them starts without reading it.

An answer's turn is saved only where the chat is still at the number of turns it was run on
(`chat.saving`), so a remembered chat that someone else answered meanwhile is never saved over:
the save finds another number, and the answer runs again on the chat as read. That costs a
turn's work twice, so a process trusts what it remembers only while that is seldom the case:
with one API process, every answer; with several, where a chat's answers reach any of them, it
reads each chat first as before, and keeps comparing what it remembers with what it read, so it
trusts again once chats keep to one process.
"""

from __future__ import annotations

import threading
from typing import Generic, TypeVar

Row = TypeVar("Row")

BUDGET_BYTES = 16 * 1024 * 1024  # of the chats' saved states; the least recently answered go
WINDOW = 32  # answers over which the share of stale rows is averaged
TRUSTED_BELOW = 0.05  # the share of stale rows under which remembered rows are used


class RecentChats(Generic[Row]):
    """Chat rows as this process last saved them, by chat ID, within BUDGET_BYTES."""

    def __init__(self, budget_bytes: int = BUDGET_BYTES) -> None:
        self._budget = budget_bytes
        self._rows: dict[str, tuple[Row, int]] = {}  # oldest first
        self._bytes = 0
        self._stale = 0.0  # the share of remembered rows found stale, as a moving average
        self._lock = threading.Lock()

    def take(self, chat_id: str) -> tuple[Row | None, bool]:
        """The remembered row of a chat, forgotten until `keep` gives it again (so that two
        answers at once to one chat do not both use it), and whether to use it without reading
        the chat: else compare it with the chat as read (`found`)."""
        with self._lock:
            kept = self._rows.pop(chat_id, None)
            if kept is None:
                return None, False
            row, size = kept
            self._bytes -= size
            return row, self._stale < TRUSTED_BELOW

    def keep(self, chat_id: str, row: Row, size: int) -> None:
        """Remembers a chat's row as just saved; `size` is what it holds, in bytes."""
        with self._lock:
            if (earlier := self._rows.pop(chat_id, None)) is not None:
                self._bytes -= earlier[1]
            if size > self._budget:
                return
            self._rows[chat_id] = (row, size)
            self._bytes += size
            while self._bytes > self._budget:
                oldest = next(iter(self._rows))
                self._bytes -= self._rows.pop(oldest)[1]

    def found(self, *, stale: bool) -> None:
        """Counts a remembered row that the chat as read showed `stale` (someone else answered
        the chat since this process saved it), or not."""
        with self._lock:
            self._stale += (float(stale) - self._stale) / WINDOW
