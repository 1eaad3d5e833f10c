"""Segment's batch limits, and the body of one `/v1/batch` request built from stored messages."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from typing import TypeVar

import orjson

MAX_BATCH_BYTES = 500 * 1024
MAX_BATCH_EVENTS = 2_500
# Room kept for the envelope: `{"batch":[...],"sentAt":"…","writeKey":"…"}` and the commas.
ENVELOPE_ALLOWANCE = 1_024

Item = TypeVar("Item")


def fits(payload_sizes: Sequence[int], *, max_bytes: int = MAX_BATCH_BYTES) -> int:
    """How many of the leading messages fit in one request."""
    return len(leading_fit(payload_sizes, int, max_bytes=max_bytes))


def leading_fit(
    items: Iterable[Item], payload_size: Callable[[Item], int], *, max_bytes: int = MAX_BATCH_BYTES
) -> list[Item]:
    """The leading items whose payloads fit in one request; reads no further than the first
    that does not, so a database cursor is not read past the end of the batch."""
    budget = max_bytes - ENVELOPE_ALLOWANCE
    total = 0
    taken = []
    for item in items:
        total += payload_size(item) + 1
        if total > budget:
            break
        taken.append(item)
    return taken


def sent_at() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def batch_body(payloads: Sequence[bytes], write_key: str) -> bytes:
    """The request body; messages are stored as JSON already, so they are joined, not re-encoded."""
    tail = orjson.dumps({"sentAt": sent_at(), "writeKey": write_key})
    return b'{"batch":[' + b",".join(payloads) + b"]," + tail[1:]
