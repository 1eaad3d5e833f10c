"""Segment's size and count limits, and reading a request body within them."""

from __future__ import annotations

import zlib
from typing import Any

import orjson

from segflow.collector.answers import ErrorCode, Refusal

MAX_MESSAGE_BYTES = 32 * 1024
MAX_BODY_BYTES = 500 * 1024
MAX_BATCH_EVENTS = 2500


def is_gzip(content_encoding: str | None) -> bool:
    """Whether a body sent with this Content-Encoding is gzipped; any other encoding is refused."""
    names = [name.strip().lower() for name in (content_encoding or "").split(",") if name.strip()]
    coded = [name for name in names if name != "identity"]
    if not coded:
        return False
    if coded in (["gzip"], ["x-gzip"]):  # x-gzip: gzip's old name, still valid (RFC 9110)
        return True
    raise Refusal(
        415,
        ErrorCode.UNSUPPORTED_ENCODING,
        f"Content-Encoding {content_encoding} is not supported: send the body with "
        "Content-Encoding gzip or identity (or none)",
        headers={"Accept-Encoding": "gzip, identity"},  # RFC 7694's answer to a 415
    )


def decode_body(raw: bytes, *, compressed: bool) -> bytes:
    """The JSON bytes of a request: gunzipped if needed, and no larger than 500 KB."""
    body = _gunzip(raw) if compressed else raw
    if len(body) > MAX_BODY_BYTES:
        size = f"{len(body):,} bytes" if not compressed else f"more than {MAX_BODY_BYTES:,} bytes"
        raise Refusal(
            400,
            ErrorCode.BODY_TOO_LARGE,
            f"Request body is {size} after decompression, over Segment's limit of "
            f"500 KB ({MAX_BODY_BYTES:,} bytes) per request",
        )
    return body


def _gunzip(raw: bytes) -> bytes:
    decompressor = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    try:
        # Stop one byte past the limit so that a small gzip bomb cannot fill memory.
        body = decompressor.decompress(raw, MAX_BODY_BYTES + 1)
    except zlib.error as error:
        raise Refusal(
            400,
            ErrorCode.INVALID_GZIP,
            f"Body is sent with Content-Encoding: gzip but is not gzip: {error}",
        ) from None
    if not decompressor.eof and len(body) <= MAX_BODY_BYTES:
        raise Refusal(
            400,
            ErrorCode.INVALID_GZIP,
            "Body is sent with Content-Encoding: gzip but the gzip data is cut short",
        )
    return body


def parse_document(body: bytes) -> dict[str, Any]:
    try:
        document = orjson.loads(body)
    except orjson.JSONDecodeError as error:
        raise Refusal(400, ErrorCode.INVALID_JSON, f"Body is not valid JSON: {error}") from None
    if not isinstance(document, dict):
        raise Refusal(400, ErrorCode.NOT_AN_OBJECT, "Body must be a JSON object")
    return document


def check_message_sizes(messages: list[dict[str, Any]], *, body_bytes: int) -> None:
    """Refuse the request if any one message is over 32 KB, naming the messages."""
    if body_bytes <= MAX_MESSAGE_BYTES:
        return  # No message can be larger than the body that holds it.
    sizes = list(map(len, map(orjson.dumps, messages)))  # no Python call per message
    if max(sizes, default=0) <= MAX_MESSAGE_BYTES:
        return
    oversized = [(index, size) for index, size in enumerate(sizes) if size > MAX_MESSAGE_BYTES]
    index, size = oversized[0]
    message_ids = [messages[i].get("messageId") for i, _ in oversized]
    raise Refusal(
        400,
        ErrorCode.MESSAGE_TOO_LARGE,
        f"Message {index} (messageId {message_ids[0]!r}) is {size:,} bytes, over Segment's "
        f"limit of 32 KB ({MAX_MESSAGE_BYTES:,} bytes) per message; "
        f"{len(oversized)} message(s) in this request are too large",
        messageIds=message_ids,
    )


def batch_overflow(count: int) -> str | None:
    """Why a batch's events are rejected for their number, or None when the count is allowed."""
    if count <= MAX_BATCH_EVENTS:
        return None
    return (
        f"Batch has {count:,} events, more than Segment's limit of {MAX_BATCH_EVENTS:,} "
        "per batch: none of them were accepted"
    )
