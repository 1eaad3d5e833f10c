"""Faults the collector can inject, for tests and demos of a sender's error handling."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from segflow.collector.answers import Answer, ErrorCode, error_body
from segflow.collector.messages import event_name


class Faults(BaseModel):
    """What the collector does wrong, set at start (CLI options) or at run time (PUT /faults)."""

    model_config = ConfigDict(extra="forbid")

    status: int | None = Field(
        default=None,
        ge=200,
        le=599,
        description="Answer this HTTP status instead of accepting the request.",
    )
    times: int | None = Field(
        default=None,
        ge=0,
        description="How many more requests get the fault; absent means until cleared.",
    )
    retry_after: float | None = Field(
        default=None,
        ge=0,
        description="Seconds sent as Retry-After with a fault answer; alone, it answers 429.",
    )
    delay: float | None = Field(
        default=None, ge=0, le=300, description="Seconds to wait before answering."
    )
    reject_event: str | None = Field(
        default=None,
        min_length=1,
        description="Answer 400 to requests holding a message with this event or page/screen name.",
    )
    refuse_event: str | None = Field(
        default=None,
        min_length=1,
        description=(
            "Keep the other messages but refuse those with this event or page/screen name, "
            'answering 200 {"ok": false, "errors": [...]} as Jitsu does.'
        ),
    )
    echo_credentials: bool = Field(
        default=False,
        description=(
            "Repeat the request's Authorization header in a fault answer's message, as some "
            "endpoints do in their errors."
        ),
    )
    location: str | None = Field(
        default=None,
        min_length=1,
        description="The Location header sent with a 3xx status (a moved endpoint).",
    )

    @model_validator(mode="after")
    def _retry_after_alone_is_rate_limiting(self) -> Faults:
        if self.retry_after is not None and self.status is None and self.reject_event is None:
            self.status = 429  # Segment's own answer when it asks a sender to slow down.
        return self

    @property
    def active(self) -> bool:
        if self.times == 0:
            return False
        return bool(
            self.status is not None
            or self.delay
            or self.reject_event is not None
            or self.refuse_event is not None
        )

    def describe(self) -> str:
        if not self.active:
            return "none"
        parts = [
            f"status {self.status}" if self.status is not None else "",
            f"Retry-After {seconds_text(self.retry_after)}s"
            if self.retry_after is not None
            else "",
            f"delay {seconds_text(self.delay)}s" if self.delay else "",
            f"reject event {self.reject_event!r}" if self.reject_event is not None else "",
            f"refuse event {self.refuse_event!r} with 200" if self.refuse_event is not None else "",
            f"Location {self.location}" if self.location is not None else "",
            "echoing credentials" if self.echo_credentials else "",
            f"for {self.times} request(s)" if self.times is not None else "",
        ]
        return ", ".join(part for part in parts if part)


@dataclass(frozen=True)
class FaultPlan:
    """What the faults do to one request: wait first, then maybe answer instead of accepting."""

    delay: float = 0.0
    answer: Answer | None = None
    # Messages refused while the others are kept, and the 200 answer that names them.
    refused: frozenset[str] = frozenset()
    partial_answer: Answer | None = None


class FaultSwitch:
    """The faults in force; each request that one applies to uses up one of `times`."""

    def __init__(self, faults: Faults | None = None) -> None:
        self._faults = faults or Faults()

    @property
    def faults(self) -> Faults:
        return self._faults

    def set(self, faults: Faults) -> None:
        self._faults = faults

    def clear(self) -> None:
        self._faults = Faults()

    def plan(
        self, messages: list[dict[str, Any]], authorization: str | None = None
    ) -> FaultPlan | None:
        faults = self._faults
        if not faults.active:
            return None
        answer = _status_answer(faults, authorization) or _rejection_answer(faults, messages)
        refused = _refused_ids(faults, messages) if answer is None else frozenset()
        if answer is None and not refused and not faults.delay:
            return None
        if faults.times is not None:
            remaining = faults.times - 1
            self._faults = faults.model_copy(update={"times": remaining}) if remaining else Faults()
        return FaultPlan(
            delay=faults.delay or 0.0,
            answer=answer,
            refused=refused,
            partial_answer=_partial_answer(faults, refused) if refused else None,
        )


def _status_answer(faults: Faults, authorization: str | None) -> Answer | None:
    if faults.status is None:
        return None
    message = f"Fault injected by the collector: answering {faults.status}"
    if faults.echo_credentials:
        message += f" to Authorization: {authorization or '(none)'}"
    if faults.status < 300:
        body = {"success": True, "message": message}
    else:
        body = error_body(ErrorCode.FAULT_INJECTED, message)
    headers = _retry_after_header(faults)
    if faults.location is not None and 300 <= faults.status < 400:
        headers["Location"] = faults.location
    return Answer(faults.status, body, headers)


def _rejection_answer(faults: Faults, messages: list[dict[str, Any]]) -> Answer | None:
    if faults.reject_event is None:
        return None
    message_ids = [m.get("messageId") for m in messages if event_name(m) == faults.reject_event]
    if not message_ids:
        return None
    body = error_body(
        ErrorCode.EVENT_REJECTED,
        f"Fault injected by the collector: rejected event {faults.reject_event!r} "
        f"in messageId {', '.join(map(str, message_ids))}",
        messageIds=message_ids,
    )
    return Answer(400, body, _retry_after_header(faults))


def _refused_ids(faults: Faults, messages: list[dict[str, Any]]) -> frozenset[str]:
    if faults.refuse_event is None:
        return frozenset()
    return frozenset(
        str(m.get("messageId")) for m in messages if event_name(m) == faults.refuse_event
    )


def _partial_answer(faults: Faults, refused: frozenset[str]) -> Answer:
    """Jitsu's way: 200, with `ok: false` and one error per refused message."""
    errors = [
        {
            "messageId": message_id,
            "error": f"Fault injected by the collector: event {faults.refuse_event!r} refused",
        }
        for message_id in sorted(refused)
    ]
    return Answer(200, {"ok": False, "errors": errors}, _retry_after_header(faults))


def _retry_after_header(faults: Faults) -> dict[str, str]:
    if faults.retry_after is None:
        return {}
    return {"Retry-After": seconds_text(faults.retry_after)}


def seconds_text(seconds: float) -> str:
    """`2` rather than `2.0`: HTTP's Retry-After counts whole seconds, tests may use fractions."""
    return str(int(seconds)) if seconds.is_integer() else str(seconds)
