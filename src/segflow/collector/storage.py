"""Recording what the collector received: one row per request, one per accepted event."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any, NamedTuple

import orjson
from sqlalchemy import Engine, delete, insert, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from segflow.collector.errors import CollectorError
from segflow.collector.messages import Messages, event_name
from segflow.store import Database, open_database
from segflow.store.deleting import whole_within
from segflow.store.tables import collected_events, collected_requests


@dataclass
class RequestRecord:
    """One request to /v1/*, filled in as the collector learns about it; never the write key."""

    received_at: float
    path: str
    gzip: bool
    body_bytes: int
    auth: str = "none"
    write_key_hint: str | None = None
    events: int = 0
    status: int = 0
    answer: str = ""


class EventRow(NamedTuple):
    """One accepted event, in the column order of `collected_events` after request_id."""

    received_at: float
    write_key_hint: str | None
    type: str
    message_id: str | None
    user_id: str | None
    anonymous_id: str | None
    name: str | None
    payload: str


EVENT_COLUMNS = ("request_id", *EventRow._fields)


def event_rows(
    messages: Messages, *, received_at: float, write_key_hint: str | None
) -> list[EventRow]:
    """Rows for `collected_events`; each payload gains receivedAt, and the batch's sentAt
    when it has no sentAt of its own (Segment's rule)."""
    received_iso = datetime.fromtimestamp(received_at, UTC).isoformat(timespec="milliseconds")
    received_iso = received_iso.replace("+00:00", "Z")
    rows = []
    for message in messages.items:
        message.pop("writeKey", None)  # The key is never stored, wherever a sender put it.
        if message.get("sentAt") is None and messages.sent_at is not None:
            message["sentAt"] = messages.sent_at
        message["receivedAt"] = received_iso
        rows.append(
            EventRow(
                received_at,
                write_key_hint,
                message["type"],
                _text(message.get("messageId"), 100),
                _text(message.get("userId"), 500),
                _text(message.get("anonymousId"), 500),
                _text(event_name(message), 500),
                orjson.dumps(message).decode(),
            )
        )
    return rows


def _text(value: Any, limit: int) -> str | None:
    """A column value: ids may arrive as numbers; the payload keeps anything longer in full."""
    if value is None:
        return None
    text = value if isinstance(value, str) else orjson.dumps(value).decode()
    return text[:limit].replace("\x00", "")  # PostgreSQL text cannot hold NUL


def save_request(engine: Engine, request: RequestRecord, events: list[EventRow]) -> int:
    """Store a request and its events in one transaction; returns the request's id."""
    with engine.begin() as connection:
        result = connection.execute(insert(collected_requests).values(**asdict(request)))
        request_id = int(result.inserted_primary_key[0])  # type: ignore[index]
        if events:
            # The driver's executemany with tuples: Core's per-row parameter handling would
            # cost more than the inserts themselves.
            connection.exec_driver_sql(
                _insert_events_sql(connection.dialect.paramstyle),
                [(request_id, *row) for row in events],
            )
    return request_id


def delete_received_before(engine: Engine, before: float, limit: int) -> int:
    """Deletes the oldest requests received before `before` (Unix seconds) with their events,
    about `limit` rows in one short transaction (a request of more events goes alone);
    returns how many rows it deleted."""
    with engine.begin() as connection:
        oldest = connection.execute(
            select(collected_requests.c.id, collected_requests.c.events)
            .where(collected_requests.c.received_at < before)
            .order_by(collected_requests.c.received_at)
            .limit(limit)
        ).all()
        chosen = whole_within(oldest, limit)
        if not chosen:
            return 0
        events_deleted = connection.execute(
            delete(collected_events).where(collected_events.c.request_id.in_(chosen))
        ).rowcount
        requests_deleted = connection.execute(
            delete(collected_requests).where(collected_requests.c.id.in_(chosen))
        ).rowcount
    return int(events_deleted) + int(requests_deleted)


def _insert_events_sql(paramstyle: str) -> str:
    placeholder = "?" if paramstyle == "qmark" else "%s"
    return (
        f"INSERT INTO {collected_events.name} ({', '.join(EVENT_COLUMNS)}) "
        f"VALUES ({', '.join([placeholder] * len(EVENT_COLUMNS))})"
    )


def open_store(url: str) -> Database:
    """The collector's database, migrated; or one line saying why it cannot be opened."""
    try:
        return open_database(url)
    except (SQLAlchemyError, OSError) as error:
        raise CollectorError(
            f"Collector: cannot open the database {safe_url(url)}: {database_problem(error)}"
        ) from error


def database_problem(error: Exception) -> str:
    """The driver's own first line, without SQLAlchemy's statement and parameters."""
    reason = str(getattr(error, "orig", None) or error).strip()
    return reason.splitlines()[0] if reason else type(error).__name__


def safe_url(url: str) -> str:
    """A database URL fit to print: never its password."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except SQLAlchemyError:
        return "(unreadable database URL)"
