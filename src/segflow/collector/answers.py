"""What the collector answers: Segment's success, or a refusal that says why."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class ErrorCode(StrEnum):
    """The `code` of every error answer: stable, for a sender or a test to act on."""

    NO_WRITE_KEY = "no_write_key"
    INVALID_AUTHORIZATION = "invalid_authorization"
    WRITE_KEY_NOT_ALLOWED = "write_key_not_allowed"
    UNSUPPORTED_ENCODING = "unsupported_encoding"
    INVALID_GZIP = "invalid_gzip"
    BODY_TOO_LARGE = "body_too_large"
    INVALID_JSON = "invalid_json"
    NOT_AN_OBJECT = "not_an_object"
    INVALID_BATCH = "invalid_batch"
    INVALID_MESSAGE = "invalid_message"
    MESSAGE_TOO_LARGE = "message_too_large"
    TOO_MANY_EVENTS = "too_many_events"
    UNKNOWN_ENDPOINT = "unknown_endpoint"
    METHOD_NOT_ALLOWED = "method_not_allowed"
    INVALID_QUERY = "invalid_query"
    INVALID_FAULTS = "invalid_faults"
    NOT_FOUND = "not_found"
    NOT_STORING = "not_storing"
    STORAGE_FAILED = "storage_failed"
    FAULT_INJECTED = "fault_injected"
    EVENT_REJECTED = "event_rejected"


@dataclass(frozen=True)
class Answer:
    status: int
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)


SUCCESS = Answer(200, {"success": True})


def error_body(code: ErrorCode, message: str, **details: Any) -> dict[str, Any]:
    """The one shape of an error answer: `{"success": false, "code": …, "message": …}`."""
    return {"success": False, "code": code.value, "message": message, **details}


class Refusal(Exception):
    """Raised while reading a request that must be answered with an error instead of accepted."""

    def __init__(
        self,
        status: int,
        code: ErrorCode,
        message: str,
        *,
        headers: dict[str, str] | None = None,
        **details: Any,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}
        self.details = details

    @property
    def answer(self) -> Answer:
        body = error_body(self.code, self.message, **self.details)
        return Answer(self.status, body, self.headers)
