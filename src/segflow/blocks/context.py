"""What a running block may do in a chat turn, and the bot messages it can say.

The flow engine implements `BlockContext`; blocks only see this protocol, so they never
depend on the engine, the database or the network (an HTTP request goes through `send_http`,
whose client the engine's caller chooses).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from segflow.blocks.web import HttpRequest, HttpResponse
from segflow.limits import Limits
from segflow.segment import SegmentMessage

if TYPE_CHECKING:  # base imports this module
    from segflow.blocks.base import Exit

LogStatus = Literal["error", "warning", "info"]
Semantics = Literal["segflow", "typebot"]
"""Whose rules a flow's values and conditions follow: segflow's, or Typebot's (for imported
flows, so they take the same path as in Typebot)."""


class BotMessage(BaseModel):
    """One message the bot says; `type` tells the chat window how to show it."""

    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, serialize_by_alias=True, frozen=True
    )

    type: str


@dataclass(frozen=True, slots=True)
class Span:
    """A run of a text message in one style; `link` is an address safe to link to."""

    text: str
    bold: bool = False
    italic: bool = False
    link: str | None = None


class TextMessage(BotMessage):
    """Text with basic formatting, as plain text and as safe HTML."""

    type: Literal["text"] = "text"
    text: str
    html: str
    # The same text as styled runs, for chat clients that build their own markup (Typebot's
    # rich text); empty when the block gave none. Not part of the message's JSON.
    spans: tuple[Span, ...] = Field(default=(), exclude=True, repr=False)


class ImageMessage(BotMessage):
    type: Literal["image"] = "image"
    url: str
    alt: str = ""


class VideoMessage(BotMessage):
    """A video to play in the chat (`<video controls>`)."""

    type: Literal["video"] = "video"
    url: str


class AudioMessage(BotMessage):
    """A sound to play in the chat (`<audio controls>`)."""

    type: Literal["audio"] = "audio"
    url: str


class EmbedMessage(BotMessage):
    """Another web page, shown as a link (or a sandboxed frame) in the chat."""

    type: Literal["embed"] = "embed"
    url: str
    height: int | None = None


class WaitMessage(BotMessage):
    """Not said but done: the chat window pauses before showing what follows."""

    type: Literal["wait"] = "wait"
    seconds: float


class RedirectMessage(BotMessage):
    """Not said but done: the chat window sends the visitor to another page."""

    type: Literal["redirect"] = "redirect"
    url: str
    new_tab: bool = False


class BlockContext(Protocol):
    """The chat turn, as a running block sees it."""

    @property
    def variables(self) -> Mapping[str, object]:
        """The chat's variables, as they are now (read only: change them with set_variable)."""
        ...

    @property
    def anonymous_id(self) -> str:
        """The chat session's anonymous ID, carried by every Segment message it sends."""
        ...

    @property
    def user_id(self) -> str | None:
        """The User ID remembered from the chat's last Identify User or Alias, if any."""
        ...

    @property
    def chat_id(self) -> str | None:
        """The chat's ID (the session's ID in the chat API); None where a chat has none."""
        ...

    @property
    def segment_context(self) -> Mapping[str, object]:
        """What the website told about the visitor (page, userAgent, locale...): the Segment
        `context` every message of the chat carries."""
        ...

    @property
    def limits(self) -> Limits:
        """What the turn may cost: e.g. the largest value a variable may hold."""
        ...

    @property
    def semantics(self) -> Semantics:
        """The flow's `semantics`: "typebot" makes values and conditions behave as in Typebot."""
        ...

    def random(self) -> float:
        """A number in [0, 1) from the turn's random source (seeded in tests)."""
        ...

    def set_variable(self, name: str, value: object) -> None:
        """Stores a value; raises LimitExceededError when it is larger than a variable (or the
        chat's variables together) may be: the engine then stops the chat."""
        ...

    def matches(self, pattern: str, text: str) -> bool:
        """Whether the regular expression matches somewhere in `text`, within the turn's time
        for regular expressions (LimitExceededError past it; PatternError if invalid)."""
        ...

    def say(self, message: BotMessage) -> None:
        """Adds a message to what the bot says this turn."""
        ...

    def log(self, status: LogStatus, description: str, *, field: str | None = None) -> None:
        """Adds a line to the turn's logs; the engine adds the group and block."""
        ...

    def queue(self, message: SegmentMessage, destination: str | None) -> None:
        """Hands a Segment message to the turn, for the Segment account named (None: the
        flow's). It is queued for delivery when the turn is saved, in the same transaction."""
        ...

    def mark_return(self) -> None:
        """Remembers the block after the running one: a later Return block comes back there
        (the last mark wins, as in Typebot)."""
        ...

    def take_return(self) -> Exit | None:
        """Where a Return block goes back to, forgetting it: after the last Jump, else after
        the Link to flow the chat is in; None when there is neither."""
        ...

    def link(self, flow: str | None, target: Exit | None, *, share_back: bool) -> Exit | None:
        """Enters the target group (None: the start) of the flow (None: this one), to come
        back after the running block when that path ends; `share_back`: same-named variables
        take the linked flow's values then. None when the link cannot be followed (the log
        says why)."""
        ...

    def remember_user(self, user_id: str) -> None:
        """Makes `user_id` the chat's user: later Segment messages with no User ID use it."""
        ...

    def send_http(self, request: HttpRequest) -> HttpResponse:
        """Sends an HTTP request through the turn's client and waits for its response; raises
        HttpRequestError when there is none (refused, timed out, no network, or no client)."""
        ...
