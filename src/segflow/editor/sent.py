"""A Segment message the editor queued (from a preview chat or a test event), as it shows it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from segflow.destinations.registry import label_for
from segflow.editor.deliveries import Delivery, deliveries
from segflow.segment import SegmentMessage
from segflow.store import Database


@dataclass(frozen=True, slots=True)
class SentMessage:
    message: SegmentMessage
    destination: str  # the Segment account's name

    def as_json(self, delivery: Delivery | None = None) -> dict[str, Any]:
        answer: dict[str, Any] = {
            "messageId": self.message.message_id,
            "type": self.message.type,
            "destination": self.destination,
            "destinationLabel": label_for(self.destination),
            "body": self.message.body(),
        }
        if delivery is not None:
            answer |= {
                "state": delivery.state,
                "attempts": delivery.attempts,
                "error": delivery.error,
            }
        return answer


def with_deliveries(
    database: Database, chat_id: str, sent: Sequence[SentMessage]
) -> list[dict[str, Any]]:
    """The messages the chat queued as JSON, each with where it is in its delivery now."""
    found = deliveries(database, chat_id, [item.message.message_id for item in sent])
    return [item.as_json(found[item.message.message_id]) for item in sent]
