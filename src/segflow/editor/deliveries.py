"""Where the messages a chat queued are in their delivery, read from the outbox by the chat."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import select

from segflow.delivery.outbox import DEAD, DELIVERED
from segflow.store import Database
from segflow.store.tables import outbox

DeliveryState = Literal["queued", "retrying", "delivered", "dead-lettered", "purged"]

# Names the chat of one message that a test event is (see `chat_of_test_event`).
_TEST_EVENTS = uuid.UUID("6f1d3a52-5c4e-4b0e-9a53-2f7e0c9b8d41")


@dataclass(frozen=True, slots=True)
class Delivery:
    state: DeliveryState
    attempts: int = 0
    error: str | None = None  # the last failure; for a dead letter, why it was refused


def deliveries(
    database: Database, chat_id: str, message_ids: Collection[str]
) -> dict[str, Delivery]:
    """Each of the chat's messages' delivery; a message no longer in the outbox reads as purged.

    The chat's rows are found by its id: no index on message IDs, which would make every
    message queued cost more the longer the delivered history grows."""
    query = select(
        outbox.c.message_id, outbox.c.state, outbox.c.attempts, outbox.c.last_error
    ).where(outbox.c.chat_session_id == chat_id)
    with database.engine.connect() as connection:
        found = {
            row.message_id: delivery_of(row.state, row.attempts, row.last_error)
            for row in connection.execute(query)
        }
    return {message_id: found.get(message_id, Delivery("purged")) for message_id in message_ids}


def chat_of_test_event(message_id: str) -> str:
    """The chat a test event's message is queued under: a test event is a chat of its own,
    named after its message, so that its delivery is found from the message ID alone."""
    return str(uuid.uuid5(_TEST_EVENTS, message_id))


def delivery_of(state: str, attempts: int, error: str | None) -> Delivery:
    """Where a message is in its delivery, from its outbox row's state, attempts and error."""
    if state == DELIVERED:
        return Delivery("delivered", attempts)
    if state == DEAD:
        return Delivery("dead-lettered", attempts, error)
    if attempts > 0:
        return Delivery("retrying", attempts, error)
    return Delivery("queued")
