"""Retention: what segflow deletes once it is past its keeping time, a little at a time.

Delivered messages (SEGFLOW_KEEP_DELIVERED_DAYS), chats with their transcripts
(SEGFLOW_KEEP_RESULTS_DAYS) and the built-in collector's events (SEGFLOW_COLLECTOR_KEEP_DAYS)
are deleted in the background by the process that delivers, about 1,000 rows per transaction
with a pause between, so senders and chats never wait long for the database. Queued messages
are never deleted by age; dead letters stay until retried or purged.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from segflow.service import Segflow
    from segflow.store import Database

log = logging.getLogger("segflow.retention")

DAY = 86_400.0


@dataclass(frozen=True)
class Kept:
    """One kind of record with a keeping time: `delete_before(before, limit)` deletes about
    `limit` rows of it older than `before` (Unix seconds), in one transaction, and returns how
    many it deleted (0 once none is left)."""

    what: str  # "delivered messages", in a log line
    setting: str  # the setting that holds `days`
    days: float  # 0: kept forever
    delete_before: Callable[[float, int], int] = field(repr=False)


@dataclass(frozen=True)
class RetentionOptions:
    batch: int = 1_000  # rows per transaction
    pause: float = 0.05  # seconds between transactions, for the senders and chats
    every: float = 600.0  # seconds between passes


class Retention:
    """Deletes each kind of record once past its keeping time: `prune()` once, or `start()` a
    thread that does so every `options.every` seconds until `stop()`."""

    def __init__(self, kept: Sequence[Kept], options: RetentionOptions | None = None) -> None:
        self.kept = [kind for kind in kept if kind.days > 0]
        self._options = options or RetentionOptions()
        self._stopping = threading.Event()
        self._last_pass = threading.Event()
        self._wake = threading.Event()  # set by stop(), to end the wait between passes
        self._thread: threading.Thread | None = None

    def prune(self) -> dict[str, int]:
        """One pass: deletes what is older than its keeping time now; returns how many rows of
        each kind. Stops at the next transaction once `stop()` is called."""
        now = time.time()
        deleted: dict[str, int] = {}
        for kind in self.kept:
            before = now - kind.days * DAY
            count = 0
            while not self._stopping.is_set():
                started = time.monotonic()
                batch = kind.delete_before(before, self._options.batch)
                count += batch
                if batch == 0:
                    break
                # At least as long as the batch took: a busy database is never held by
                # retention more than half the time.
                self._stopping.wait(max(self._options.pause, time.monotonic() - started))
            deleted[kind.what] = count
            if count:
                log.info(
                    "Deleted %s %s older than %g day(s) (%s)",
                    f"{count:,}",
                    kind.what,
                    kind.days,
                    kind.setting,
                )
        return deleted

    def start(self) -> None:
        """Prunes now, then every `options.every` seconds, on a thread of its own."""
        if not self.kept:
            return  # everything is kept forever
        self._thread = threading.Thread(target=self._run, name="segflow-retention", daemon=True)
        self._thread.start()

    def finish(self) -> None:
        """Asks the thread to end once the pass under way (or the first one) is done."""
        self._last_pass.set()
        self._wake.set()

    def stop(self) -> None:
        """Asks the thread to end at the next transaction."""
        self._stopping.set()
        self._wake.set()

    def join(self, timeout: float | None = None) -> bool:
        """Waits for the thread to end, at most `timeout` seconds; whether it has."""
        if self._thread is not None:
            self._thread.join(timeout)
            return not self._thread.is_alive()
        return True

    def _run(self) -> None:
        every = self._options.every
        while True:
            try:
                self.prune()
            except Exception:
                # The thread must never die silently; the rows are deleted on a later pass.
                log.exception("Deleting old records failed; trying again in %g s", every)
            if self._last_pass.is_set() or self._stopping.is_set():
                return
            self._wake.wait(every)
            if self._last_pass.is_set() or self._stopping.is_set():
                return


def retention_of(segflow: Segflow, options: RetentionOptions | None = None) -> Retention:
    """What the process that delivers deletes in segflow's database: delivered messages,
    chats, and the built-in collector's events stored there."""
    from segflow.chat.results import delete_chats_before

    settings = segflow.settings
    kept = [
        Kept(
            "delivered messages",
            "SEGFLOW_KEEP_DELIVERED_DAYS",
            settings.keep_delivered_days,
            segflow.outbox.delete_delivered,
        ),
        Kept(
            "chats",
            "SEGFLOW_KEEP_RESULTS_DAYS",
            settings.keep_results_days,
            partial(delete_chats_before, segflow.database),
        ),
        collected_events_kept(segflow.database, settings.collector_keep_days),
    ]
    return Retention(kept, options)


def collected_events_kept(
    database: Database, days: float, setting: str = "SEGFLOW_COLLECTOR_KEEP_DAYS"
) -> Kept:
    """The built-in collector's requests and events, kept `days`."""
    from segflow.collector.storage import delete_received_before

    return Kept(
        "collector requests and events",
        setting,
        days,
        partial(delete_received_before, database.engine),
    )
