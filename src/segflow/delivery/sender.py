"""The sender: drains the outbox to each destination, one worker thread per destination.

A failing destination backs off on its own; the others keep sending. Messages of a destination
go out in the order they were queued. A 400 answer splits the batch until the offending
messages are found; only those are dead-lettered, with the answer as the reason.

Each worker keeps its database work on a helper thread, in order: while one batch is on the
wire, the one before it is marked delivered and the one after it is claimed. The next batch
is sent only once this one is answered, so the order of a destination's messages holds.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field

import httpx

from segflow.delivery.backoff import Backoff
from segflow.delivery.batching import MAX_BATCH_BYTES, MAX_BATCH_EVENTS, batch_body
from segflow.delivery.http import Answer, SegmentHTTP
from segflow.delivery.outbox import ClaimedMessage, Outbox
from segflow.destinations import Destinations
from segflow.errors import DestinationError, SettingsError

log = logging.getLogger("segflow.delivery")


@dataclass(frozen=True)
class SenderOptions:
    lease: float = 60.0
    timeout: float = 15.0
    poll_interval: float = 0.2
    max_attempts: int = 25
    max_events: int = MAX_BATCH_EVENTS
    max_bytes: int = MAX_BATCH_BYTES
    backoff: Backoff = field(default_factory=Backoff)
    transport: httpx.BaseTransport | None = None

    def __post_init__(self) -> None:
        if self.lease <= self.timeout:
            raise SettingsError(
                f"The lease ({self.lease:g} s) must be longer than the HTTP timeout "
                f"({self.timeout:g} s): a batch still in flight would be claimed again"
            )


@dataclass
class DeliveryReport:
    delivered: int = 0
    dead: int = 0
    failed_attempts: int = 0

    def add(self, other: DeliveryReport) -> None:
        self.delivered += other.delivered
        self.dead += other.dead
        self.failed_attempts += other.failed_attempts


class Sender:
    def __init__(
        self,
        outbox: Outbox,
        destinations: Destinations,
        options: SenderOptions | None = None,
        *,
        on_progress: Callable[[DeliveryReport], None] | None = None,
        on_batch: Callable[[str, DeliveryReport, float], None] | None = None,
    ) -> None:
        """`on_progress` gets the sender's whole report after each batch; `on_batch` (for
        metrics) gets the destination's name, that batch's report and its seconds."""
        self._outbox = outbox
        self._destinations = destinations
        self._options = options or SenderOptions()
        self._on_progress = on_progress
        self._on_batch = on_batch
        self.name = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._stopping = threading.Event()
        # Set when a worker finishes, so that `run(until_empty=True)` returns without a poll.
        self._wake = threading.Event()
        self._workers: dict[int, threading.Thread] = {}
        self._working: set[int] = set()
        self._clients: dict[int, SegmentHTTP] = {}
        self._report = DeliveryReport()
        self._lock = threading.Lock()

    @property
    def report(self) -> DeliveryReport:
        with self._lock:
            return DeliveryReport(
                self._report.delivered, self._report.dead, self._report.failed_attempts
            )

    def stop(self) -> None:
        """Asks the sender to stop claiming new batches; `run` then returns."""
        self._stopping.set()
        self._wake.set()

    def run(self, *, until_empty: bool = False, shutdown_deadline: float = 10.0) -> DeliveryReport:
        """Sends until stopped (or, with `until_empty`, until nothing is queued)."""
        try:
            while not self._stopping.is_set():
                self._wake.clear()
                self._start_due_workers()
                if until_empty and not self._busy() and self._outbox.pending() == 0:
                    break
                self._wake.wait(self._idle_wait())
        finally:
            self._stopping.set()
            self._shutdown(shutdown_deadline)
        return self.report

    # -- the main loop ---------------------------------------------------------------------

    def _busy(self) -> bool:
        with self._lock:
            return bool(self._working)

    def _idle_wait(self) -> float:
        wait = self._options.poll_interval
        retry_at = self._outbox.next_retry_at()
        if retry_at is not None:
            wait = min(wait, max(retry_at - time.time(), 0.0) + 0.01)
        return wait

    def _start_due_workers(self) -> None:
        for destination_id in self._outbox.destinations_due(time.time()):
            worker = self._workers.get(destination_id)
            if worker is not None and worker.is_alive():
                continue
            worker = threading.Thread(
                target=self._work,
                args=(destination_id,),
                name=f"segflow-sender-{destination_id}",
                daemon=True,
            )
            self._workers[destination_id] = worker
            with self._lock:
                self._working.add(destination_id)
            worker.start()

    def _shutdown(self, deadline: float) -> None:
        ends = time.monotonic() + deadline
        for worker in self._workers.values():
            worker.join(max(ends - time.monotonic(), 0.0))
        unfinished = [w.name for w in self._workers.values() if w.is_alive()]
        if unfinished:
            log.warning("Stopped with batches still in flight; they stay queued for the next start")
        self._outbox.release(self.name)
        if not unfinished:
            for client in self._clients.values():
                client.close()

    # -- one destination -------------------------------------------------------------------

    def _work(self, destination_id: int) -> None:
        try:
            with _OrderedOutbox(self._outbox, f"segflow-outbox-{destination_id}") as outbox:
                self._drain(destination_id, outbox)
        except Exception:
            # A worker must never die silently: the messages stay queued and the next loop retries.
            log.exception("Sender worker for destination %s failed", destination_id)
        finally:
            with self._lock:
                self._working.discard(destination_id)
            self._wake.set()

    def _drain(self, destination_id: int, outbox: _OrderedOutbox) -> None:
        """Sends batches for one destination until it is drained, backing off, or stopping."""
        destination = self._destinations.by_id(destination_id)
        write_key = self._destinations.write_key(destination_id).reveal()
        client = self._clients.get(destination_id)
        if client is not None and client.endpoint != destination.endpoint:
            client.close()  # the account's endpoint was changed
            client = None
        if client is None:
            client = SegmentHTTP(
                destination.endpoint,
                timeout=self._options.timeout,
                transport=self._options.transport,
            )
            self._clients[destination_id] = client
        upcoming: _Claim | None = self._claim(outbox, destination_id)
        try:
            while upcoming is not None and not self._stopping.is_set():
                batch = self._claimed(outbox, upcoming, destination_id)
                upcoming = None
                if not batch:
                    return
                upcoming = self._claim(outbox, destination_id)
                report = DeliveryReport()
                started = time.monotonic()
                carry_on = self._send(
                    destination_id, destination.name, client, write_key, batch, report, outbox
                )
                if self._on_batch is not None:
                    self._on_batch(destination.name, report, time.monotonic() - started)
                with self._lock:
                    self._report.add(report)
                if self._on_progress is not None:
                    self._on_progress(self.report)
                if not carry_on:
                    return
        finally:
            if upcoming is not None:
                outbox.give_back(upcoming.batch)

    def _claim(self, outbox: _OrderedOutbox, destination_id: int) -> _Claim:
        """Starts claiming the next batch, on the outbox thread."""
        started = time.time()
        batch = outbox.claim(
            destination_id,
            self.name,
            lease=self._options.lease,
            max_events=self._options.max_events,
            max_bytes=self._options.max_bytes,
        )
        return _Claim(batch, started)

    def _claimed(
        self, outbox: _OrderedOutbox, claim: _Claim, destination_id: int
    ) -> list[ClaimedMessage]:
        """The claimed batch, claimed again if so little of its lease is left that it could
        run out while the batch is in flight (another sender could then take it too)."""
        batch = claim.batch.result()
        if batch and time.time() + self._options.timeout >= claim.started + self._options.lease:
            outbox.give_back(claim.batch)
            batch = self._claim(outbox, destination_id).batch.result()
        return batch

    def _send(
        self,
        destination_id: int,
        destination: str,
        client: SegmentHTTP,
        write_key: str,
        batch: Sequence[ClaimedMessage],
        report: DeliveryReport,
        outbox: _OrderedOutbox,
    ) -> bool:
        """Sends a batch; returns False when the destination must back off."""
        answer = client.post_batch(batch_body([m.payload for m in batch], write_key), write_key)
        ids = [message.id for message in batch]
        if answer.delivered:
            outbox.delivered(ids, destination_id)
            report.delivered += len(batch)
            log.debug("Delivered %d message(s) to %s", len(batch), destination)
            return True
        if answer.retryable:
            if self._changed_since(destination_id, client, write_key):
                # Sent with the settings just replaced: try again with the new ones, no backoff.
                outbox.release_ids(ids)
                return False
            self._retry_later(destination_id, destination, batch, answer, report, outbox)
            return False
        if len(batch) == 1:
            reason = f"{destination} refused the message: {answer.describe()}"
            outbox.dead_letter(ids, reason)
            report.dead += 1
            log.warning("Dead-lettered message %s: %s", batch[0].message_id, reason)
            return True
        # Some message in the batch is refused: halve until it is isolated, deliver the rest.
        middle = len(batch) // 2
        for half in (batch[:middle], batch[middle:]):
            if not self._send(destination_id, destination, client, write_key, half, report, outbox):
                outbox.release_ids(ids)
                return False
        return True

    def _changed_since(self, destination_id: int, client: SegmentHTTP, write_key: str) -> bool:
        """Whether the account's endpoint or Write Key changed since the batch was sent."""
        try:
            now = self._destinations.by_id(destination_id)
            key = self._destinations.write_key(destination_id).reveal()
        except DestinationError:
            return False  # removed meanwhile: its messages went with it or elsewhere
        return now.endpoint != client.endpoint or key != write_key

    def _retry_later(
        self,
        destination_id: int,
        destination: str,
        batch: Sequence[ClaimedMessage],
        answer: Answer,
        report: DeliveryReport,
        outbox: _OrderedOutbox,
    ) -> None:
        reason = f"{destination}: {answer.describe()}"
        report.failed_attempts += 1
        exhausted = [m.id for m in batch if m.attempts + 1 >= self._options.max_attempts]
        if exhausted:
            outbox.dead_letter(
                exhausted, f"gave up after {self._options.max_attempts} attempts; last: {reason}"
            )
            report.dead += len(exhausted)
        failures = outbox.failures(destination_id) + 1
        wait = self._options.backoff.delay(failures, answer.retry_after)
        outbox.failed(
            [m.id for m in batch if m.id not in exhausted],
            destination_id,
            reason,
            retry_at=time.time() + wait,
        )
        log.warning("%s; trying again in %.1f s", reason, wait)


@dataclass(frozen=True)
class _Claim:
    batch: Future[list[ClaimedMessage]]
    started: float  # no later than the claim's own clock, so its lease ends after started + lease


class _OrderedOutbox:
    """One worker's outbox calls, run one after another on a helper thread.

    Each call runs after every call made before it: backoff sees the deliveries recorded
    before the failure, and a release follows the claim it undoes. `delivered` does not wait
    for the database; a failure to record it is raised by a later call, or on leaving.
    """

    def __init__(self, outbox: Outbox, thread_name: str) -> None:
        self._outbox = outbox
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix=thread_name)
        self._recording: list[Future[None]] = []

    def __enter__(self) -> _OrderedOutbox:
        return self

    def __exit__(self, error_type: type[BaseException] | None, *_: object) -> None:
        """Waits for every call made so far."""
        self._thread.shutdown(wait=True)
        if error_type is None:
            self._raise_failed_records()

    def claim(
        self, destination_id: int, sender: str, *, lease: float, max_events: int, max_bytes: int
    ) -> Future[list[ClaimedMessage]]:
        return self._thread.submit(
            self._outbox.claim,
            destination_id,
            sender,
            lease=lease,
            max_events=max_events,
            max_bytes=max_bytes,
        )

    def give_back(self, claim: Future[list[ClaimedMessage]]) -> None:
        """Releases a claimed batch that will not be sent now."""
        self.release_ids([message.id for message in claim.result()])

    def delivered(self, ids: Sequence[int], destination_id: int) -> None:
        self._raise_failed_records()
        self._recording.append(self._thread.submit(self._outbox.delivered, ids, destination_id))

    def dead_letter(self, ids: Sequence[int], reason: str) -> None:
        self._thread.submit(self._outbox.dead_letter, ids, reason).result()

    def failed(self, ids: Sequence[int], destination_id: int, reason: str, retry_at: float) -> None:
        self._thread.submit(self._outbox.failed, ids, destination_id, reason, retry_at).result()

    def failures(self, destination_id: int) -> int:
        return self._thread.submit(self._outbox.failures, destination_id).result()

    def release_ids(self, ids: Sequence[int]) -> None:
        if ids:
            self._thread.submit(self._outbox.release_ids, ids).result()

    def _raise_failed_records(self) -> None:
        recording, self._recording = self._recording, []
        for record in recording:
            if record.done():
                record.result()
            else:
                self._recording.append(record)
