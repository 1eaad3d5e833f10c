"""Reading back what the collector stored, for its HTTP API and the CLI alike."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import orjson
from sqlalchemy import Engine, Row, select

from segflow.store.tables import collected_events, collected_requests


@dataclass(frozen=True)
class CollectedEvent:
    id: int
    request_id: int
    received_at: float
    write_key_hint: str | None
    type: str
    message_id: str | None
    user_id: str | None
    anonymous_id: str | None
    name: str | None
    payload: str

    @classmethod
    def from_row(cls, row: Row[Any]) -> CollectedEvent:
        return cls(**row._asdict())

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "payload": orjson.loads(self.payload)}


@dataclass(frozen=True)
class CollectedRequest:
    id: int
    received_at: float
    path: str
    auth: str
    write_key_hint: str | None
    gzip: bool
    body_bytes: int
    events: int
    status: int
    answer: str

    @classmethod
    def from_row(cls, row: Row[Any]) -> CollectedRequest:
        return cls(**row._asdict())

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "answer": orjson.loads(self.answer)}


def list_events(
    engine: Engine,
    *,
    type: str | None = None,
    message_id: str | None = None,
    limit: int = 100,
) -> list[CollectedEvent]:
    """Newest first."""
    query = select(collected_events).order_by(collected_events.c.id.desc()).limit(limit)
    if type is not None:
        query = query.where(collected_events.c.type == type)
    if message_id is not None:
        query = query.where(collected_events.c.message_id == message_id)
    with engine.connect() as connection:
        return [CollectedEvent.from_row(row) for row in connection.execute(query)]


def find_event(engine: Engine, key: str) -> CollectedEvent | None:
    """An event by its id, or else by its messageId (the newest copy, if it came more than once)."""
    if key.isdigit() and len(key) <= 18:  # a longer number is no id, only a messageId
        by_id = get_event(engine, int(key))
        if by_id is not None:
            return by_id
    with engine.connect() as connection:
        query = (
            select(collected_events)
            .where(collected_events.c.message_id == key)
            .order_by(collected_events.c.id.desc())
            .limit(1)
        )
        row = connection.execute(query).first()
        return CollectedEvent.from_row(row) if row is not None else None


def get_event(engine: Engine, event_id: int) -> CollectedEvent | None:
    query = select(collected_events).where(collected_events.c.id == event_id)
    with engine.connect() as connection:
        row = connection.execute(query).first()
    return CollectedEvent.from_row(row) if row is not None else None


def list_requests(engine: Engine, *, limit: int = 100) -> list[CollectedRequest]:
    """Newest first."""
    query = select(collected_requests).order_by(collected_requests.c.id.desc()).limit(limit)
    with engine.connect() as connection:
        return [CollectedRequest.from_row(row) for row in connection.execute(query)]
