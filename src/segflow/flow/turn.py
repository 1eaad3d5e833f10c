"""What one chat turn gives back: the bot's messages, the input awaited, logs, Segment messages."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel

from segflow.blocks import BotMessage, LogStatus
from segflow.flow.session import ChatStatus, SessionState
from segflow.segment import SegmentMessage


class _TurnPart(BaseModel):
    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, serialize_by_alias=True, frozen=True
    )


class AwaitedInput(_TurnPart):
    """The input the bot waits on: its block, type, and options (templates filled in)."""

    block_id: str
    type: str
    options: dict[str, Any]


class TurnLog(_TurnPart):
    """Something that went wrong (or is worth knowing) in a turn, and where."""

    status: LogStatus
    description: str
    flow: str | None = None  # the linked flow's name, when a link took the chat into another
    group: str | None = None  # the group's title
    block: str | None = None  # the block's ID
    field: str | None = None  # the field's title, e.g. "Event Name"

    def __str__(self) -> str:
        place = " › ".join(
            part
            for part in (
                f'Flow "{self.flow}"' if self.flow else "",
                f'Group "{self.group}"' if self.group else "",
                f'block "{self.block}"' if self.block else "",
            )
            if part
        )
        return f"{place}: {self.description}" if place else self.description


@dataclass(frozen=True, slots=True)
class QueuedMessage:
    """A Segment message of the turn, for the Segment account named (None: the default)."""

    message: SegmentMessage
    destination: str | None
    group: str | None = None  # where it was sent from; None for automatic tracking
    block: str | None = None
    flow: str | None = None  # the linked flow's name, when a link took the chat into another


@dataclass(frozen=True)
class Turn:
    state: SessionState
    messages: list[BotMessage]
    input: AwaitedInput | None  # None: the chat has ended
    logs: list[TurnLog]
    segment: list[QueuedMessage]

    @property
    def ended(self) -> bool:
        return self.state.status is not ChatStatus.ACTIVE
