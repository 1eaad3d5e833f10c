"""Segment's batch limits, and the body of one `/v1/batch` request built from stored messages."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import orjson

MAX_BATCH_BYTES = 500 * 1024
MAX_BATCH_EVENTS = 2_500
# Room kept for the envelope: `{"batch":[...],"sentAt":"…","writeKey":"…"}` and the commas.
ENVELOPE_ALLOWANCE = 1_024


def fits(payload_sizes: Sequence[int], *, max_bytes: int = MAX_BATCH_BYTES) -> int:
    """How many of the leading messages fit in one request."""
    budget = max_bytes - ENVELOPE_ALLOWANCE
    total = 0
    for count, size in enumerate(payload_sizes):
        total += size + 1
        if total > budget:
            return count
    return len(payload_sizes)


def sent_at() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def batch_body(payloads: Sequence[bytes], write_key: str) -> bytes:
    """The request body; messages are stored as JSON already, so they are joined, not re-encoded."""
    tail = orjson.dumps({"sentAt": sent_at(), "writeKey": write_key})
    return b'{"batch":[' + b",".join(payloads) + b"]," + tail[1:]
