"""Segment messages as senders build them, each with a fresh messageId."""

from __future__ import annotations

import uuid
from typing import Any

Message = dict[str, Any]


def message(type: str, **fields: Any) -> Message:
    return {
        "type": type,
        "messageId": f"test-{uuid.uuid4()}",
        "timestamp": "2026-01-02T03:04:05.678Z",
        **fields,
    }


def track(event: str = "Message Sent", **fields: Any) -> Message:
    return message("track", event=event, userId="user-1", **fields)


def batch(*messages: Message, sent_at: str = "2026-01-02T03:04:06.000Z") -> dict[str, Any]:
    return {"batch": list(messages), "sentAt": sent_at}
