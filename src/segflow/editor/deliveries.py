"""Where messages are in their delivery, read from the outbox by their message IDs."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import select

from segflow.delivery.outbox import DEAD, DELIVERED
from segflow.store import Database
from segflow.store.tables import outbox

DeliveryState = Literal["queued", "retrying", "delivered", "dead-lettered", "purged"]


@dataclass(frozen=True, slots=True)
class Delivery:
    state: DeliveryState
    attempts: int = 0
    error: str | None = None  # the last failure; for a dead letter, why it was refused


def deliveries(database: Database, message_ids: Collection[str]) -> dict[str, Delivery]:
    """Each message's delivery; a message no longer in the outbox reads as purged."""
    found: dict[str, Delivery] = {}
    ids = list(dict.fromkeys(message_ids))
    for start in range(0, len(ids), 500):
        query = select(
            outbox.c.message_id, outbox.c.state, outbox.c.attempts, outbox.c.last_error
        ).where(outbox.c.message_id.in_(ids[start : start + 500]))
        with database.engine.connect() as connection:
            for row in connection.execute(query):
                found[row.message_id] = delivery_of(row.state, row.attempts, row.last_error)
    return {message_id: found.get(message_id, Delivery("purged")) for message_id in ids}


def delivery_of(state: str, attempts: int, error: str | None) -> Delivery:
    """Where a message is in its delivery, from its outbox row's state, attempts and error."""
    if state == DELIVERED:
        return Delivery("delivered", attempts)
    if state == DEAD:
        return Delivery("dead-lettered", attempts, error)
    if attempts > 0:
        return Delivery("retrying", attempts, error)
    return Delivery("queued")
