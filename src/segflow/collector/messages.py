"""The Segment messages a request body carries, by endpoint."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from segflow.collector.answers import ErrorCode, Refusal

MESSAGE_TYPES = ("identify", "track", "page", "screen", "group", "alias")
ENDPOINTS = ("batch", *MESSAGE_TYPES)
# analytics.js posts to a type's first letter: /v1/t for a track, /v1/b for a batch.
SHORT_PATHS = {endpoint[0]: endpoint for endpoint in ENDPOINTS}


@dataclass(frozen=True)
class Messages:
    """What one request delivered: its messages and the batch's sentAt, exactly as it arrived."""

    items: list[dict[str, Any]]
    sent_at: Any = None


def read_messages(endpoint: str, document: dict[str, Any]) -> Messages:
    """`/v1/batch` carries a list; every other endpoint one message whose type is the path's."""
    if endpoint != "batch":
        document["type"] = endpoint
        return Messages([document])
    batch = document.get("batch")
    if not isinstance(batch, list):
        raise Refusal(
            400, ErrorCode.INVALID_BATCH, "A /v1/batch body needs a 'batch' list of messages"
        )
    for index, message in enumerate(batch):
        if not isinstance(message, dict):
            raise Refusal(
                400, ErrorCode.INVALID_MESSAGE, f"Message {index} of the batch is not a JSON object"
            )
        if message.get("type") not in MESSAGE_TYPES:
            raise Refusal(
                400,
                ErrorCode.INVALID_MESSAGE,
                f"Message {index} of the batch has type {message.get('type')!r}; "
                f"expected one of {', '.join(MESSAGE_TYPES)}",
                messageIds=[message.get("messageId")],
            )
    return Messages(batch, document.get("sentAt"))


def event_name(message: dict[str, Any]) -> Any:
    """The event of a track, the name of a page or screen; other types have none."""
    kind = message.get("type")
    if kind == "track":
        return message.get("event")
    if kind in ("page", "screen"):
        return message.get("name")
    return None
