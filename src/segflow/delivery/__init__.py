"""Durable delivery: the outbox that stores messages and the sender that drains it to Segment."""

from segflow.delivery.outbox import ChatMessage, Outbox, OutboxCounts
from segflow.delivery.sender import Sender, SenderOptions

__all__ = ["ChatMessage", "Outbox", "OutboxCounts", "Sender", "SenderOptions"]
