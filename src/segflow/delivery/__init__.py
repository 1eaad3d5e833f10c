"""Durable delivery: the outbox that stores messages and the sender that drains it to Segment."""

from segflow.delivery.outbox import Outbox, OutboxCounts
from segflow.delivery.sender import Sender, SenderOptions

__all__ = ["Outbox", "OutboxCounts", "Sender", "SenderOptions"]
