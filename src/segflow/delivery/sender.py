"""The sender: drains the outbox to each destination, one worker thread per destination.

A failing destination backs off on its own; the others keep sending. Messages of a destination
go out in the order they were queued. A 400 answer that names the refused messages
dead-letters those and sends the rest again; one that names none splits the batch until the
offending messages are found. Only those are dead-lettered, with the answer as the reason.
A 2xx answer whose body refuses some messages (Jitsu's `ok: false`) dead-letters exactly
those. An endpoint that refuses every message is taken for misconfigured after a few
requests: its messages stay queued and it backs off, instead of each message being
dead-lettered one by one.

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
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field

import httpx

from segflow.delivery.backoff import Backoff
from segflow.delivery.batching import MAX_BATCH_BYTES, MAX_BATCH_EVENTS, batch_body
from segflow.delivery.http import Answer, SegmentHTTP, read_refusal, refused_in_error
from segflow.delivery.outbox import ClaimedMessage, Outbox
from segflow.destinations import Destinations
from segflow.destinations.secrets import UndecryptableWriteKeyError
from segflow.errors import DestinationError, SettingsError

log = logging.getLogger("segflow.delivery")

# Messages refused one by one, with no message accepted in between, before the endpoint is
# taken for misconfigured (it refuses everything) rather than the messages for bad.
REFUSED_ALONE_BEFORE_MISCONFIGURED = 3
# Seconds before a destination whose oldest messages another sender holds is tried again: that
# sender sends them in order meanwhile, so trying sooner would only cost both of them CPU.
HELD_ELSEWHERE_WAIT = 1.0


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
        # Destinations another sender was draining, and when to try them again (monotonic).
        self._held_elsewhere: dict[int, float] = {}
        self._clients: dict[int, SegmentHTTP] = {}
        self._refusals: dict[int, _Refusals] = {}  # per destination id
        self._report = DeliveryReport()
        self._lock = threading.Lock()
        # Destinations whose Write Key cannot be decrypted: only a person can unblock them.
        self._undecryptable: dict[int, UndecryptableWriteKeyError] = {}
        self._until_empty = False

    @property
    def report(self) -> DeliveryReport:
        with self._lock:
            return DeliveryReport(
                self._report.delivered, self._report.dead, self._report.failed_attempts
            )

    @property
    def undecryptable(self) -> list[UndecryptableWriteKeyError]:
        """Why destinations with queued messages could not be sent to: their Write Key cannot
        be decrypted."""
        with self._lock:
            return list(self._undecryptable.values())

    def stop(self) -> None:
        """Asks the sender to stop claiming new batches; `run` then returns."""
        self._stopping.set()
        self._wake.set()

    def run(self, *, until_empty: bool = False, shutdown_deadline: float = 10.0) -> DeliveryReport:
        """Sends until stopped (or, with `until_empty`, until nothing is queued)."""
        self._until_empty = until_empty
        try:
            while not self._stopping.is_set():
                self._wake.clear()
                self._start_due_workers()
                if until_empty and not self._busy() and self._drained():
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

    def _drained(self) -> bool:
        """Nothing queued, but for destinations whose Write Key cannot be decrypted (found
        here for those backing off since an earlier run)."""
        if self._outbox.pending() == 0:
            return True
        for destination_id, waiting in self._outbox.undelivered().items():
            if waiting.queued == 0 or destination_id in self._undecryptable:
                continue
            try:
                self._destinations.write_key(destination_id)
            except UndecryptableWriteKeyError as error:
                with self._lock:
                    self._undecryptable[destination_id] = error
                continue
            return False
        return True

    def _idle_wait(self) -> float:
        wait = self._options.poll_interval
        retry_at = self._outbox.next_retry_at()
        if retry_at is not None:
            wait = min(wait, max(retry_at - time.time(), 0.0) + 0.01)
        return wait

    def _start_due_workers(self) -> None:
        now = time.monotonic()
        for destination_id in self._outbox.destinations_due(time.time()):
            worker = self._workers.get(destination_id)
            if worker is not None and worker.is_alive():
                continue
            with self._lock:
                if self._held_elsewhere.get(destination_id, now) > now:
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
            with _OrderedOutbox(self._outbox, destination_id) as outbox:
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
        try:
            write_key = self._destinations.write_key(destination_id).reveal()
        except UndecryptableWriteKeyError as error:
            self._wait_for_write_key(destination_id, error, outbox)
            return
        with self._lock:
            self._undecryptable.pop(destination_id, None)
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
        # What was learnt of refusals holds for these settings: a new endpoint or key starts afresh.
        settings = (destination_id, destination.endpoint, write_key)
        refusals = self._refusals.get(destination_id)
        if refusals is None or refusals.settings != settings:
            refusals = self._refusals[destination_id] = _Refusals(settings)
        first = True
        try:
            while upcoming is not None and not self._stopping.is_set():
                batch = self._claimed(outbox, upcoming, destination_id)
                upcoming = None
                if not batch and first and outbox.held_by_another(destination_id, self.name):
                    with self._lock:
                        self._held_elsewhere[destination_id] = (
                            time.monotonic() + HELD_ELSEWHERE_WAIT
                        )
                first = False
                if not batch:
                    # Drained, with too few refusals to call the endpoint misconfigured.
                    if refusals.waiting:
                        report = DeliveryReport()
                        self._dead_letter_refused(refusals, report, outbox)
                        self._add(report)
                    return
                upcoming = self._claim(outbox, destination_id)
                report = DeliveryReport()
                started = time.monotonic()
                carry_on = self._send(
                    destination_id,
                    destination.name,
                    client,
                    write_key,
                    batch,
                    report,
                    outbox,
                    refusals,
                )
                if self._on_batch is not None:
                    self._on_batch(destination.name, report, time.monotonic() - started)
                self._add(report)
                if not carry_on:
                    return
        finally:
            if upcoming is not None:
                outbox.give_back(upcoming.batch)
            if refusals.waiting:
                # Not proven bad yet: sent again on the next try.
                outbox.release_ids([message.id for message, _ in refusals.waiting])
                refusals.waiting.clear()

    def _add(self, report: DeliveryReport) -> None:
        with self._lock:
            self._report.add(report)
        if self._on_progress is not None:
            self._on_progress(self.report)

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
        refusals: _Refusals,
    ) -> bool:
        """Sends a batch; returns False when the destination must back off."""
        answer = client.post_batch(batch_body([m.payload for m in batch], write_key), write_key)
        ids = [message.id for message in batch]
        if answer.accepted:
            refusal = read_refusal(answer, [message.message_id for message in batch])
            if refusal is None or refusal.by_message:
                refused = refusal.by_message if refusal is not None else {}
                self._accepted(
                    destination_id, destination, batch, refused, report, outbox, refusals
                )
                return True
            reason = f"{destination} refused the message: HTTP {answer.status}: {refusal.reason}"
        elif answer.retryable:
            if self._changed_since(destination_id, client, write_key):
                # Sent with the settings just replaced: try again with the new ones, no backoff.
                outbox.release_ids(ids)
                return False
            self._retry_later(
                destination_id, destination, batch, answer.describe(), answer, report, outbox
            )
            return False
        else:
            reason = f"{destination} refused the message: {answer.describe()}"
            named = refused_in_error(answer, [message.message_id for message in batch])
            if named and len(batch) > 1:
                # The answer says which messages it refused: only those are dead, the rest
                # is sent again without splitting.
                rest = [message for message in batch if message.message_id not in named]
                self._dead_letter(
                    [message for message in batch if message.message_id in named],
                    {
                        message_id: f"HTTP {answer.status}: {why}"
                        for message_id, why in named.items()
                    },
                    destination,
                    report,
                    outbox,
                )
                return not rest or self._send(
                    destination_id, destination, client, write_key, rest, report, outbox, refusals
                )
        if refusals.misconfigured is not None:
            # Taken for misconfigured and nothing accepted since: one request per try.
            self._retry_later(
                destination_id, destination, batch, refusals.misconfigured, answer, report, outbox
            )
            return False
        if len(batch) == 1:
            # Dead-lettered once the endpoint is seen taking other messages: one that refuses
            # everything is misconfigured, and its messages are not to blame.
            refusals.waiting.append((batch[0], reason))
            if len(refusals.waiting) < REFUSED_ALONE_BEFORE_MISCONFIGURED:
                return True
            waiting = [message for message, _ in refusals.waiting]
            refusals.waiting.clear()
            misconfigured = (
                f"{destination} refused each of the last {len(waiting)} messages sent one by "
                f"one and took none: check the account's endpoint and Write Key. Last answer: "
                f"{reason.removeprefix(f'{destination} refused the message: ')}"
            )
            refusals.misconfigured = misconfigured
            self._retry_later(
                destination_id, destination, waiting, misconfigured, answer, report, outbox
            )
            outbox.release_ids(ids)
            return False
        # Some message in the batch is refused: halve until it is isolated, deliver the rest.
        middle = len(batch) // 2
        for half in (batch[:middle], batch[middle:]):
            if not self._send(
                destination_id, destination, client, write_key, half, report, outbox, refusals
            ):
                outbox.release_ids(ids)
                return False
        return True

    def _accepted(
        self,
        destination_id: int,
        destination: str,
        batch: Sequence[ClaimedMessage],
        refused: Mapping[str, str],
        report: DeliveryReport,
        outbox: _OrderedOutbox,
        refusals: _Refusals,
    ) -> None:
        """Records a batch the endpoint took, but for the messages its answer refused."""
        taken = [message.id for message in batch if message.message_id not in refused]
        if taken:
            refusals.misconfigured = None
            outbox.delivered(taken, destination_id)
            report.delivered += len(taken)
            log.debug("Delivered %d message(s) to %s", len(taken), destination)
            self._dead_letter_refused(refusals, report, outbox)  # the endpoint works: they were bad
        self._dead_letter(
            [message for message in batch if message.message_id in refused],
            refused,
            destination,
            report,
            outbox,
        )

    @staticmethod
    def _dead_letter(
        messages: Sequence[ClaimedMessage],
        reasons: Mapping[str, str],
        destination: str,
        report: DeliveryReport,
        outbox: _OrderedOutbox,
    ) -> None:
        """Dead-letters messages an answer refused by name, each with its own reason."""
        for message in messages:
            reason = f"{destination} refused the message: {reasons[message.message_id]}"
            outbox.dead_letter([message.id], reason)
            report.dead += 1
            log.warning("Dead-lettered message %s: %s", message.message_id, reason)

    @staticmethod
    def _dead_letter_refused(
        refusals: _Refusals, report: DeliveryReport, outbox: _OrderedOutbox
    ) -> None:
        for message, reason in refusals.waiting:
            outbox.dead_letter([message.id], reason)
            report.dead += 1
            log.warning("Dead-lettered message %s: %s", message.message_id, reason)
        refusals.waiting.clear()

    def _changed_since(self, destination_id: int, client: SegmentHTTP, write_key: str) -> bool:
        """Whether the account's endpoint or Write Key changed since the batch was sent."""
        try:
            now = self._destinations.by_id(destination_id)
            key = self._destinations.write_key(destination_id).reveal()
        except DestinationError:
            return False  # removed meanwhile: its messages went with it or elsewhere
        return now.endpoint != client.endpoint or key != write_key

    def _wait_for_write_key(
        self, destination_id: int, error: UndecryptableWriteKeyError, outbox: _OrderedOutbox
    ) -> None:
        """Backs the destination off with the error as its last error, sending nothing and
        counting no attempt: its messages wait for the Write Key to be typed again."""
        wait = self._options.backoff.delay(outbox.failures(destination_id) + 1)
        outbox.failed([], destination_id, str(error), retry_at=time.time() + wait)
        with self._lock:
            first = destination_id not in self._undecryptable
            self._undecryptable[destination_id] = error
        if first and not self._until_empty:  # with until_empty, the caller says it on return
            log.warning("%s", error)

    def _retry_later(
        self,
        destination_id: int,
        destination: str,
        batch: Sequence[ClaimedMessage],
        problem: str,
        answer: Answer,
        report: DeliveryReport,
        outbox: _OrderedOutbox,
    ) -> None:
        reason = problem if problem.startswith(destination) else f"{destination}: {problem}"
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


@dataclass
class _Refusals:
    """A destination's messages refused alone and not dead-lettered yet, and whether it was
    taken for misconfigured (refusing everything) with nothing accepted since."""

    settings: tuple[int, str, str]  # destination id, endpoint, Write Key
    waiting: list[tuple[ClaimedMessage, str]] = field(default_factory=list)
    misconfigured: str | None = None


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

    def __init__(self, outbox: Outbox, destination_id: int) -> None:
        self._outbox = outbox
        self._destination_id = destination_id
        self._thread = ThreadPoolExecutor(
            max_workers=1, thread_name_prefix=f"segflow-outbox-{destination_id}"
        )
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

    def held_by_another(self, destination_id: int, sender: str) -> bool:
        return self._thread.submit(self._outbox.held_by_another, destination_id, sender).result()

    def release_ids(self, ids: Sequence[int]) -> None:
        if ids:
            self._thread.submit(self._outbox.release_ids, ids, self._destination_id).result()

    def _raise_failed_records(self) -> None:
        recording, self._recording = self._recording, []
        for record in recording:
            if record.done():
                record.result()
            else:
                self._recording.append(record)
