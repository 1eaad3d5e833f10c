"""The outbox table: messages wait here, inside the application database, until delivered.

Enqueuing joins the caller's transaction when one is given, so a chat turn's state and the
events it produced commit together. A sender claims a batch with one `outbox_claims` row and
its lease, one claim of a destination at a time, so concurrent senders never take the same
message.
"""

from __future__ import annotations

import os
import socket
import time
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache, partial
from itertools import chain
from operator import itemgetter
from typing import Any, NamedTuple, cast

import orjson
from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    Update,
    and_,
    bindparam,
    delete,
    func,
    insert,
    literal_column,
    or_,
    select,
    update,
)

from segflow.delivery.batching import MAX_BATCH_BYTES, MAX_BATCH_EVENTS, leading_fit
from segflow.segment import SegmentMessage
from segflow.store import Database
from segflow.store.db import RowsInsert
from segflow.store.tables import destinations, outbox, outbox_claims

QUEUED = "queued"
QUEUED_COLUMNS = (
    "destination_id",
    "message_id",
    "type",
    "payload",
    "created_at",
    "state",
    "attempts",
    "chat_session_id",
)
DELIVERED = "delivered"
FETCHED_AT_ONCE = 256  # claimed rows read from the cursor in one call
DEAD = "dead"
STATES = (QUEUED, DELIVERED, DEAD)
# Written as a literal, not a parameter, so that the databases use the partial index on queued
# messages (ix_outbox_queued) whatever the statement's parameters.
IS_QUEUED = outbox.c.state == literal_column(f"'{QUEUED}'")
IS_DEAD = outbox.c.state == literal_column(f"'{DEAD}'")  # and ix_outbox_dead


class Claim(NamedTuple):
    """A sender's claim on a batch: the destination's queued messages from first_id to last_id."""

    id: int
    sender: str
    first_id: int
    last_id: int
    claimed_until: float


class ClaimedMessage(NamedTuple):
    """A message a sender has claimed; a named tuple, as a batch makes thousands of them."""

    id: int
    message_id: str
    payload: bytes
    attempts: int


@dataclass(frozen=True, slots=True)
class ChatMessage:
    """A Segment message a chat queued, as the outbox holds it now."""

    chat_session_id: str
    message_id: str
    type: str
    destination: str  # the Segment account's name
    payload: bytes
    created_at: float
    state: str
    attempts: int
    last_error: str | None

    def body(self) -> dict[str, Any]:
        """The message as sent to Segment."""
        result: dict[str, Any] = orjson.loads(self.payload)
        return result


@dataclass(frozen=True, slots=True)
class OutboxCounts:
    destination: str
    queued: int
    retrying: int
    delivered: int
    dead: int
    retry_at: float | None
    last_error: str | None
    in_flight: int = 0  # queued messages a sender holds, its lease not run out
    lease_until: float | None = None  # when the last of those leases runs out


@dataclass(frozen=True, slots=True)
class Backlog:
    """A destination's messages waiting, as /metrics shows them."""

    destination: str
    queued: int  # retrying ones included
    retrying: int
    dead: int
    oldest_queued_at: float | None  # when the oldest queued message was queued


@dataclass(frozen=True, slots=True)
class Undelivered:
    """A destination's messages not delivered yet, and its backoff."""

    queued: int  # retrying ones included
    retrying: int
    dead: int
    retry_at: float | None
    last_error: str | None


def queued_rows(
    messages: Iterable[tuple[int, SegmentMessage]], chat_session_id: str | None
) -> list[tuple[Any, ...]]:
    """The outbox rows of messages queued now, each with the ID of the destination it goes to;
    their values in the order of QUEUED_COLUMNS."""
    now = time.time()
    return [
        (
            destination_id,
            message.message_id,
            message.type,
            message.payload,
            now,
            QUEUED,
            0,
            chat_session_id,
        )
        for destination_id, message in messages
    ]


class Outbox:
    def __init__(self, database: Database) -> None:
        self._database = database
        # Queuing sits inside every chat turn: a turn's messages go in one INSERT, written once.
        self._insert = RowsInsert(outbox, QUEUED_COLUMNS, database)

    # -- writing ---------------------------------------------------------------------------

    def enqueue(
        self,
        message: SegmentMessage,
        destination_id: int,
        *,
        connection: Connection | None = None,
    ) -> None:
        """Stores the message; with `connection`, inside that connection's open transaction."""
        self.enqueue_many([message], destination_id, connection=connection)

    def enqueue_many(
        self,
        messages: Iterable[SegmentMessage],
        destination_id: int,
        *,
        connection: Connection | None = None,
        chat_session_id: str | None = None,
    ) -> None:
        """Stores the messages in one statement (per 100); with `connection`, inside that
        connection's open transaction. With `chat_session_id`, the messages are listed in that
        chat's Results."""
        rows = queued_rows(((destination_id, m) for m in messages), chat_session_id)
        if not rows:
            return
        if connection is not None:
            self.insert_rows(connection, rows)
            return
        with self._database.engine.begin() as own:
            self.insert_rows(own, rows)

    def insert_rows(self, connection: Connection, rows: Sequence[tuple[Any, ...]]) -> None:
        """Stores `queued_rows` in `connection`'s transaction."""
        self._insert.run(connection, rows)

    # -- claiming, for senders -------------------------------------------------------------

    def destinations_due(self, now: float) -> list[int]:
        """Destinations with queued messages that are not backing off."""
        waiting = (
            select(outbox.c.id)
            .where(outbox.c.destination_id == destinations.c.id, IS_QUEUED)
            .exists()
        )
        query = select(destinations.c.id).where(
            or_(destinations.c.retry_at.is_(None), destinations.c.retry_at <= now), waiting
        )
        with self._database.engine.connect() as connection:
            return list(connection.execute(query).scalars())

    def next_retry_at(self) -> float | None:
        """When the earliest destination that is backing off may be tried again."""
        with self._database.engine.connect() as connection:
            return connection.execute(
                select(func.min(destinations.c.retry_at)).where(
                    destinations.c.retry_at.is_not(None)
                )
            ).scalar_one_or_none()

    def claim(
        self,
        destination_id: int,
        sender: str,
        *,
        lease: float,
        max_events: int = MAX_BATCH_EVENTS,
        max_bytes: int = MAX_BATCH_BYTES,
    ) -> list[ClaimedMessage]:
        """Takes the oldest unclaimed messages of a destination that fit one batch request.

        The claim is one `outbox_claims` row naming the batch's first and last message, with
        its lease; the messages themselves are not written until they are finished."""
        now = time.time()
        # One claim of a destination at a time on PostgreSQL, so each sees the claims made
        # before it.
        backoff = _RETRY_AT_LOCKED if self._database.is_postgresql else _RETRY_AT
        with self._database.engine.begin() as connection:
            retry_at = connection.execute(
                backoff, {"destination_id": destination_id}
            ).scalar_one_or_none()
            if retry_at is not None and retry_at > now:
                return []  # backing off: no sender may try before then
            held = self._held(connection, destination_id, sender, now)
            if held is None:
                return []
            result = connection.execute(
                _oldest_queued(len(held)),
                {
                    "destination_id": destination_id,
                    "max_events": max_events,
                    **_held_spans(held),
                },
            )
            # The DBAPI cursor's tuples, made ClaimedMessages without a Python call for each:
            # SQLAlchemy rows, or a loop over them, would cost more than the query itself.
            # Read a few hundred at a time: row by row costs twice as much on SQLite.
            chunks = iter(partial(result.cursor.fetchmany, FETCHED_AT_ONCE), [])
            rows = cast(Iterable[tuple[int, str, bytes, int]], chain.from_iterable(chunks))
            batch = leading_fit(map(_claimed_message, rows), _payload_size, max_bytes=max_bytes)
            result.close()
            if batch:
                # A batch never spans a claim held now: it ends before the next one starts.
                after = [c.first_id for c in held if c.first_id > batch[0].id]
                if after:
                    del batch[bisect_left(batch, min(after), key=_message_id) :]
            if not batch:
                return []
            connection.execute(
                _INSERT_CLAIM,
                {
                    "destination_id": destination_id,
                    "sender": sender,
                    "first_id": batch[0].id,
                    "last_id": batch[-1].id,
                    "claimed_until": now + lease,
                },
            )
        return batch

    def held_by_another(self, destination_id: int, sender: str) -> bool:
        """Whether another sender holds the destination's oldest queued messages now, so
        that `sender` may not claim until it lets go."""
        with self._database.engine.begin() as connection:
            return self._held(connection, destination_id, sender, time.time()) is None

    def _held(
        self, connection: Connection, destination_id: int, sender: str, now: float
    ) -> list[Claim] | None:
        """The destination's claims that hold now, or None when `sender` may not claim now:
        messages go out in order, so not while the oldest queued message is in another
        sender's hands. Claims whose lease ran out are dropped, and so are those of a sender
        that is gone (its process ended on this host), at once rather than when their lease
        runs out."""
        of_destination = {"destination_id": destination_id}
        claims = [Claim(*row) for row in connection.execute(_CLAIMS, of_destination)]
        held = [c for c in claims if c.claimed_until >= now]
        if any(c.sender != sender for c in held):
            head = connection.execute(_OLDEST_QUEUED_ID, of_destination).scalar_one_or_none()
            holder = next(
                (c.sender for c in held if head is not None and c.first_id <= head <= c.last_id),
                sender,
            )
            if holder != sender:
                if not sender_gone(holder):
                    return None
                held = [c for c in held if c.sender != holder]
        ended = {c.id for c in claims} - {c.id for c in held}
        if ended:
            connection.execute(delete(outbox_claims).where(outbox_claims.c.id.in_(ended)))
        return held

    def delivered(self, ids: Sequence[int], destination_id: int) -> None:
        with self._database.engine.begin() as connection:
            _finish(connection, ids, DELIVERED, None)
            _end_claims(connection, destination_id, ids, within=True)
            connection.execute(_BACKOFF_ENDS, {"destination_id": destination_id})

    def dead_letter(self, ids: Sequence[int], reason: str) -> None:
        """A claim that covered them ends with its lease: it holds no queued message now."""
        with self._database.engine.begin() as connection:
            _finish(connection, ids, DEAD, reason)

    def failed(self, ids: Sequence[int], destination_id: int, reason: str, retry_at: float) -> None:
        """Releases the messages for a later try and makes the destination back off."""
        with self._database.engine.begin() as connection:
            if ids:
                statement, among = _among(_RETRY_SPAN, _RETRY_IDS, ids)
                connection.execute(statement, {**among, "last_error": reason})
            _end_claims(connection, destination_id, ids, within=False)
            connection.execute(
                update(destinations)
                .where(destinations.c.id == destination_id)
                .values(failures=destinations.c.failures + 1, retry_at=retry_at, last_error=reason)
            )

    def failures(self, destination_id: int) -> int:
        with self._database.engine.connect() as connection:
            return int(
                connection.execute(
                    select(destinations.c.failures).where(destinations.c.id == destination_id)
                ).scalar_one()
            )

    def release(self, sender: str) -> None:
        """Gives back what a stopping sender claimed but did not finish."""
        with self._database.engine.begin() as connection:
            connection.execute(delete(outbox_claims).where(outbox_claims.c.sender == sender))

    def release_ids(self, ids: Sequence[int], destination_id: int) -> None:
        """Gives back the batches of a destination the messages belong to."""
        if ids:
            with self._database.engine.begin() as connection:
                _end_claims(connection, destination_id, ids, within=False)

    # -- looking and tidying, for people ---------------------------------------------------

    def counts(self) -> list[OutboxCounts]:
        def count_where(*condition: ColumnElement[bool]) -> ColumnElement[int]:
            return func.count(outbox.c.id).filter(and_(*condition))

        # Queued messages in a batch whose lease has not run out, and when the last lease ends.
        claims = outbox_claims.c
        in_flight = (
            select(
                claims.destination_id,
                func.count(outbox.c.id).label("in_flight"),
                func.max(claims.claimed_until).label("lease_until"),
            )
            .select_from(
                outbox_claims.join(
                    outbox,
                    and_(
                        outbox.c.destination_id == claims.destination_id,
                        IS_QUEUED,
                        outbox.c.id.between(claims.first_id, claims.last_id),
                    ),
                )
            )
            .where(claims.claimed_until > time.time())
            .group_by(claims.destination_id)
            .subquery()
        )
        query = (
            select(
                destinations.c.name,
                destinations.c.retry_at,
                destinations.c.last_error,
                count_where(outbox.c.state == QUEUED).label(QUEUED),
                count_where(outbox.c.state == QUEUED, outbox.c.attempts > 0).label("retrying"),
                count_where(outbox.c.state == DELIVERED).label(DELIVERED),
                count_where(outbox.c.state == DEAD).label(DEAD),
                func.max(in_flight.c.in_flight).label("in_flight"),
                func.max(in_flight.c.lease_until).label("lease_until"),
            )
            .select_from(
                destinations.outerjoin(outbox).outerjoin(
                    in_flight, in_flight.c.destination_id == destinations.c.id
                )
            )
            .group_by(destinations.c.id)
            .order_by(destinations.c.name)
        )
        with self._database.engine.connect() as connection:
            return [
                OutboxCounts(
                    destination=row.name,
                    queued=row.queued,
                    retrying=row.retrying,
                    delivered=row.delivered,
                    dead=row.dead,
                    retry_at=row.retry_at,
                    last_error=row.last_error,
                    in_flight=row.in_flight or 0,
                    lease_until=row.lease_until,
                )
                for row in connection.execute(query)
            ]

    def of_chats(self, chat_session_ids: Sequence[str]) -> list[ChatMessage]:
        """The messages the chats queued that are still in the outbox (not purged), in order."""
        query = (
            select(
                outbox.c.chat_session_id,
                outbox.c.message_id,
                outbox.c.type,
                destinations.c.name.label("destination"),
                outbox.c.payload,
                outbox.c.created_at,
                outbox.c.state,
                outbox.c.attempts,
                outbox.c.last_error,
            )
            .join(destinations)
            .where(outbox.c.chat_session_id.in_(list(chat_session_ids)))
            .order_by(outbox.c.id)
        )
        with self._database.engine.connect() as connection:
            return [ChatMessage(*row) for row in connection.execute(query)]

    def undelivered(self) -> dict[int, Undelivered]:
        """Per destination id: its queued (and of those, retrying) and dead-lettered messages,
        and its backoff. Delivered ones are not counted, so the answer stays quick however
        long the history."""
        # Each state counted on its own partial index, so no delivered row is read.
        waiting = (
            select(
                outbox.c.destination_id,
                func.count().label(QUEUED),
                func.count().filter(outbox.c.attempts > 0).label("retrying"),
            )
            .where(IS_QUEUED)
            .group_by(outbox.c.destination_id)
            .subquery()
        )
        dead = (
            select(outbox.c.destination_id, func.count().label(DEAD))
            .where(IS_DEAD)
            .group_by(outbox.c.destination_id)
            .subquery()
        )
        query = select(
            destinations.c.id,
            destinations.c.retry_at,
            destinations.c.last_error,
            waiting.c.queued,
            waiting.c.retrying,
            dead.c.dead,
        ).select_from(
            destinations.outerjoin(
                waiting, waiting.c.destination_id == destinations.c.id
            ).outerjoin(dead, dead.c.destination_id == destinations.c.id)
        )
        with self._database.engine.connect() as connection:
            return {
                row.id: Undelivered(
                    queued=row.queued or 0,
                    retrying=row.retrying or 0,
                    dead=row.dead or 0,
                    retry_at=row.retry_at,
                    last_error=row.last_error,
                )
                for row in connection.execute(query)
            }

    def pending(self) -> int:
        with self._database.engine.connect() as connection:
            return int(
                connection.execute(
                    select(func.count()).select_from(outbox).where(IS_QUEUED)
                ).scalar_one()
            )

    def dead_letters(self, destination_id: int | None = None, limit: int = 100) -> list[dict]:
        query = (
            select(
                outbox.c.id,
                outbox.c.message_id,
                outbox.c.type,
                outbox.c.last_error,
                outbox.c.finished_at,
                destinations.c.name.label("destination"),
            )
            .join(destinations)
            .where(IS_DEAD)
            .order_by(outbox.c.id)
            .limit(limit)
        )
        if destination_id is not None:
            query = query.where(outbox.c.destination_id == destination_id)
        with self._database.engine.connect() as connection:
            return [dict(row._mapping) for row in connection.execute(query)]

    def retry_dead(self, destination_id: int | None = None) -> int:
        """Puts dead letters back in the queue, for after the cause is fixed."""
        condition = [IS_DEAD]
        if destination_id is not None:
            condition.append(outbox.c.destination_id == destination_id)
        with self._database.engine.begin() as connection:
            requeued = set(
                connection.execute(
                    select(outbox.c.destination_id).where(*condition).distinct()
                ).scalars()
            )
            result = connection.execute(
                update(outbox).where(*condition).values(state=QUEUED, attempts=0, finished_at=None)
            )
            # Only the destinations whose letters were queued again start afresh; the others
            # keep their backoff (a Retry-After they were given still holds).
            if requeued:
                connection.execute(
                    update(destinations)
                    .where(destinations.c.id.in_(requeued))
                    .values(retry_at=None, failures=0)
                )
        return int(result.rowcount)

    def purge(
        self,
        states: Sequence[str],
        destination_id: int | None = None,
        *,
        connection: Connection | None = None,
    ) -> int:
        """Deletes the messages in `states`; with `connection`, inside its open transaction."""
        condition: list[ColumnElement[bool]] = [outbox.c.state.in_(states)]
        if destination_id is not None:
            condition.append(outbox.c.destination_id == destination_id)
        if connection is not None:
            return int(connection.execute(delete(outbox).where(*condition)).rowcount)
        with self._database.engine.begin() as own:
            return int(own.execute(delete(outbox).where(*condition)).rowcount)

    def delete_delivered(self, before: float, limit: int) -> int:
        """Deletes up to `limit` of the oldest messages delivered before `before` (Unix
        seconds), in one short transaction; returns how many. Never a queued or dead one."""
        # The state is written out, not bound, so the partial index on delivered rows is used.
        delivered = outbox.c.state == literal_column(f"'{DELIVERED}'")
        oldest = (
            select(outbox.c.id)
            .where(delivered, outbox.c.finished_at < before)
            .order_by(outbox.c.finished_at)
            .limit(limit)
        )
        with self._database.engine.begin() as connection:
            deleted = connection.execute(
                delete(outbox).where(outbox.c.id.in_(oldest.scalar_subquery()), delivered)
            )
        return int(deleted.rowcount)

    def backlog(self) -> list[Backlog]:
        """Per destination: messages queued (retrying ones included), retrying, dead-lettered,
        and when the oldest queued one was queued; in one query that never reads delivered
        rows, so it stays quick however long the history."""
        queued, dead = outbox.c.state == QUEUED, outbox.c.state == DEAD
        query = (
            select(
                destinations.c.name,
                func.count(outbox.c.id).filter(queued).label(QUEUED),
                func.count(outbox.c.id).filter(queued, outbox.c.attempts > 0).label("retrying"),
                func.count(outbox.c.id).filter(dead).label(DEAD),
                func.min(outbox.c.created_at).filter(queued).label("oldest"),
            )
            .select_from(
                destinations.outerjoin(
                    outbox,
                    and_(
                        outbox.c.destination_id == destinations.c.id,
                        outbox.c.state.in_((QUEUED, DEAD)),
                    ),
                )
            )
            .group_by(destinations.c.id, destinations.c.name)
            .order_by(destinations.c.name)
        )
        with self._database.engine.connect() as connection:
            return [
                Backlog(row.name, row.queued or 0, row.retrying or 0, row.dead or 0, row.oldest)
                for row in connection.execute(query)
            ]

    def move(
        self, states: Sequence[str], from_id: int, to_id: int, *, connection: Connection
    ) -> int:
        """Hands a destination's messages in `states` to another one, inside the caller's
        transaction. They keep their message IDs and order; their attempts start again."""
        moved = connection.execute(
            update(outbox)
            .where(outbox.c.destination_id == from_id, outbox.c.state.in_(states))
            .values(destination_id=to_id, attempts=0)
        )
        connection.execute(delete(outbox_claims).where(outbox_claims.c.destination_id == from_id))
        return int(moved.rowcount)


_claimed_message = partial(tuple.__new__, ClaimedMessage)
_message_id = itemgetter(0)


def sender_gone(name: str) -> bool:
    """Whether the sender named `host:pid:tag` ran on this host and its process has ended.
    A sender on another host is never taken for gone: its lease is waited for."""
    host, _, rest = name.partition(":")
    pid_text = rest.partition(":")[0]
    if host != socket.gethostname() or not pid_text.isdigit():
        return False
    pid = int(pid_text)
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False  # alive, run by another user
    return False


def _payload_size(message: ClaimedMessage) -> int:
    return len(message.payload)


def _finish(connection: Connection, ids: Sequence[int], state: str, reason: str | None) -> None:
    """Ends the messages' way through the outbox: delivered, or dead with the reason."""
    statement, among = _among(_FINISH_SPAN, _FINISH_IDS, ids)
    connection.execute(
        statement, {**among, "state": state, "finished_at": time.time(), "last_error": reason}
    )


def _end_claims(
    connection: Connection, destination_id: int, ids: Sequence[int], *, within: bool
) -> None:
    """Deletes the destination's claims that lie `within` the span of `ids` (a batch
    finished), or else that overlap it (a batch given back)."""
    if not ids:
        return
    connection.execute(
        _END_CLAIMS_WITHIN if within else _END_CLAIMS_OVERLAPPING,
        {"destination_id": destination_id, "first": min(ids), "last": max(ids)},
    )


def _among(span: Update, listed: Update, ids: Sequence[int]) -> tuple[Update, dict[str, object]]:
    """The statement for the ids, of `span` (`id BETWEEN :first AND :last`) or `listed`
    (`id IN :ids`), with its parameters: a batch's ids are usually consecutive, and a span
    saves binding and matching each of up to 2,500 ids one by one."""
    first = ids[0] if ids else 0
    if list(ids) == list(range(first, first + len(ids))):
        return span, {"first": first, "last": first + len(ids) - 1}
    return listed, {"ids": list(ids)}


# The statements of every batch, built once: building one costs more than running it.
_RETRY_AT = select(destinations.c.retry_at).where(destinations.c.id == bindparam("destination_id"))
# FOR NO KEY UPDATE: claims of a destination still go one at a time, but chat turns queuing
# its messages do not wait (their foreign key check takes the weaker KEY SHARE lock).
_RETRY_AT_LOCKED = _RETRY_AT.with_for_update(key_share=True)
_CLAIMS = (
    select(
        outbox_claims.c.id,
        outbox_claims.c.sender,
        outbox_claims.c.first_id,
        outbox_claims.c.last_id,
        outbox_claims.c.claimed_until,
    )
    .where(outbox_claims.c.destination_id == bindparam("destination_id"))
    .order_by(outbox_claims.c.first_id)
)
_OLDEST_QUEUED_ID = (
    select(outbox.c.id)
    .where(outbox.c.destination_id == bindparam("destination_id"), IS_QUEUED)
    .order_by(outbox.c.id)
    .limit(1)
)
_INSERT_CLAIM = insert(outbox_claims)
_BACKOFF_ENDS = (
    update(destinations)
    .where(destinations.c.id == bindparam("destination_id"), destinations.c.failures > 0)
    .values(failures=0, retry_at=None, last_error=None)
)
_FINISHED: dict[str, Any] = {
    "state": bindparam("state"),
    "finished_at": bindparam("finished_at"),
    "last_error": bindparam("last_error"),
}
_IN_SPAN = outbox.c.id.between(bindparam("first"), bindparam("last"))
_LISTED = outbox.c.id.in_(bindparam("ids", expanding=True))
_FINISH_SPAN = update(outbox).where(_IN_SPAN).values(_FINISHED)
_FINISH_IDS = update(outbox).where(_LISTED).values(_FINISHED)
_RETRIED: dict[str, Any] = {
    "attempts": outbox.c.attempts + 1,
    "last_error": bindparam("last_error"),
}
_RETRY_SPAN = update(outbox).where(_IN_SPAN).values(_RETRIED)
_RETRY_IDS = update(outbox).where(_LISTED).values(_RETRIED)
_OF_DESTINATION = outbox_claims.c.destination_id == bindparam("destination_id")
_END_CLAIMS_WITHIN = delete(outbox_claims).where(
    _OF_DESTINATION,
    outbox_claims.c.first_id >= bindparam("first"),
    outbox_claims.c.last_id <= bindparam("last"),
)
_END_CLAIMS_OVERLAPPING = delete(outbox_claims).where(
    _OF_DESTINATION,
    outbox_claims.c.first_id <= bindparam("last"),
    outbox_claims.c.last_id >= bindparam("first"),
)


@cache
def _oldest_queued(held: int) -> Select[tuple[int, str, bytes, int]]:
    """A destination's oldest queued messages outside `held` claims (:first_0 to :last_0,
    …), up to :max_events."""
    return (
        select(outbox.c.id, outbox.c.message_id, outbox.c.payload, outbox.c.attempts)
        .where(
            outbox.c.destination_id == bindparam("destination_id"),
            IS_QUEUED,
            *(
                ~outbox.c.id.between(bindparam(f"first_{n}"), bindparam(f"last_{n}"))
                for n in range(held)
            ),
        )
        .order_by(outbox.c.id)
        .limit(bindparam("max_events"))
    )


def _held_spans(held: Sequence[Claim]) -> dict[str, int]:
    """The parameters of `_oldest_queued(len(held))`."""
    spans: dict[str, int] = {}
    for n, claim in enumerate(held):
        spans[f"first_{n}"], spans[f"last_{n}"] = claim.first_id, claim.last_id
    return spans
