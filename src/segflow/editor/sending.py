""" "Send test event": a Segment block's message built from values typed in the editor, queued
to its account, exactly as the block would send it in a chat."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from segflow.blocks import BlockRegistry, BotMessage, Exit, LogStatus, Semantics
from segflow.blocks.segment import SEGMENT, send_to_segment
from segflow.blocks.web import NO_HTTP, HttpRequest, HttpResponse
from segflow.editor.answers import DraftProblemsError
from segflow.editor.deliveries import chat_of_test_event
from segflow.editor.sent import SentMessage
from segflow.errors import DestinationError
from segflow.flow import FlowProblem
from segflow.flow.problems import field_problems
from segflow.limits import DEFAULT_LIMITS, Limits
from segflow.segment import SegmentMessage
from segflow.service import Segflow

_PLACE = "Segment block"


@dataclass(frozen=True)
class TestEventOutcome:
    sent: SentMessage | None
    problem: str | None  # why nothing was sent, naming the field

    def as_json(self) -> dict[str, Any]:
        if self.sent is None:
            return {"outcome": "refused", "problem": self.problem}
        return {"outcome": "queued", **self.sent.as_json()}


def send_test_event(
    segflow: Segflow,
    registry: BlockRegistry,
    options: Mapping[str, Any],
    variables: Mapping[str, object],
    *,
    flow_destination: str | None = None,
) -> TestEventOutcome:
    """Runs the Segment block's options as a new chat would and queues what it sends.

    Raises DraftProblemsError when the options themselves are wrong (not a Segment block's).
    """
    kind = registry.find(SEGMENT.name) or SEGMENT
    try:
        block = kind.read_options(dict(options))
    except ValidationError as error:
        raise DraftProblemsError(
            [
                FlowProblem(_PLACE, text, field=path)
                for path, text in field_problems(error, kind.options)
            ],
            summary="The Segment block",
        ) from None
    chat = _TestChat(dict(variables))
    send_to_segment(block, chat)
    if not chat.queued:
        return TestEventOutcome(None, chat.problem or "The block sent nothing")
    message, destination = chat.queued[0]
    try:
        target = segflow.queue(
            message,
            destination=destination or flow_destination or None,
            chat_id=chat_of_test_event(message.message_id),
        )
    except DestinationError as error:
        return TestEventOutcome(None, str(error))
    return TestEventOutcome(SentMessage(message, target.name), None)


@dataclass
class _TestChat:
    """A new chat as far as a Segment block can tell: the variables given, a fresh visitor."""

    _variables: dict[str, object]
    anonymous_id: str = field(default_factory=lambda: f"segflow-test-{uuid.uuid4()}")
    user_id: str | None = None
    chat_id: str | None = None  # a test event belongs to no chat
    queued: list[tuple[SegmentMessage, str | None]] = field(default_factory=list)
    problem: str | None = None

    @property
    def variables(self) -> Mapping[str, object]:
        return self._variables

    @property
    def segment_context(self) -> Mapping[str, object]:
        return {}  # no website tells about a test visitor

    @property
    def limits(self) -> Limits:
        return DEFAULT_LIMITS

    @property
    def semantics(self) -> Semantics:
        return "segflow"  # a Segment block reads variables the same way under both

    def random(self) -> float:
        raise AssertionError("a Segment block draws no random number")

    def set_variable(self, name: str, value: object) -> None:
        self._variables[name] = value

    def matches(self, pattern: str, text: str) -> bool:
        raise AssertionError("a Segment block matches no regular expression")

    def say(self, message: BotMessage) -> None:
        pass  # a Segment block says nothing

    def log(self, status: LogStatus, description: str, *, field: str | None = None) -> None:
        if status == "error" and self.problem is None:
            self.problem = description

    def queue(self, message: SegmentMessage, destination: str | None) -> None:
        self.queued.append((message, destination))

    def remember_user(self, user_id: str) -> None:
        self.user_id = user_id

    def mark_return(self) -> None:
        pass  # a Segment block jumps nowhere

    def take_return(self) -> Exit | None:
        return None

    def send_http(self, request: HttpRequest) -> HttpResponse:
        return NO_HTTP.send(request)  # a Segment block sends no HTTP request

    def link(self, flow: str | None, target: Exit | None, *, share_back: bool) -> Exit | None:
        return None  # a Segment block links nowhere
