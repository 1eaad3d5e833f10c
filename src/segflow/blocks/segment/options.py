"""The Segment block's options: a Segment action (its fields inline) and the account to use.

Each action's fields are the ones of `segflow.segment.actions`; in a chat, the User ID may be
left empty, because the chat session knows who it is talking to: the User ID remembered from
its last Identify User or Alias, else (for Track Event, Page View, Group, Screen) the session's
anonymous ID alone. Alias's Previous ID, left empty, is the session's anonymous ID.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from segflow.segment import (
    ActionBase,
    Alias,
    Group,
    IdentifyUser,
    PageView,
    Screen,
    TrackEvent,
)
from segflow.segment.actions import Template

_REMEMBERED = "the chat's user ID (from an earlier Identify User or Alias)"


class SegmentAccount(ActionBase):
    """What every Segment block adds to its action: which Segment account gets the message."""

    destination: str = Field(
        "",
        title="Segment account",
        description="The Segment account that gets the message. "
        "Leave empty for the flow's account, else segflow's default.",
        json_schema_extra={"ui": "destination"},
    )


class IdentifyUserBlock(IdentifyUser, SegmentAccount):
    user_id: Template = Field(
        "",
        title="User ID",
        description=f"Your ID for this person. Leave empty for {_REMEMBERED}, "
        "else the traits go with the chat's anonymous ID alone.",
    )


class AliasBlock(Alias, SegmentAccount):
    previous_id: Template = Field(
        "",
        title="Previous ID",
        description="The ID the person had until now. Leave empty for the chat's anonymous ID.",
    )
    user_id: Template = Field(
        "",
        title="User ID",
        description=f"The ID the person is known by from now on. Leave empty for {_REMEMBERED}.",
    )


class TrackEventBlock(TrackEvent, SegmentAccount):
    user_id: Template = Field(
        "",
        title="User ID",
        description=f"Who did it. Leave empty for {_REMEMBERED}, "
        "else the event goes with the chat's anonymous ID alone.",
    )


class PageViewBlock(PageView, SegmentAccount):
    pass


class GroupBlock(Group, SegmentAccount):
    pass


class ScreenBlock(Screen, SegmentAccount):
    pass


SegmentBlock = Annotated[
    IdentifyUserBlock | AliasBlock | TrackEventBlock | PageViewBlock | GroupBlock | ScreenBlock,
    Field(discriminator="action"),
]
"""The options of a Segment block: one of the actions, chosen by `action`."""
