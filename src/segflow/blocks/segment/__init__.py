"""The Segment block: a first-class block that sends Segment messages from a chat."""

from segflow.blocks.segment.block import SEGMENT, send_to_segment
from segflow.blocks.segment.options import (
    AliasBlock,
    GroupBlock,
    IdentifyUserBlock,
    PageViewBlock,
    ScreenBlock,
    SegmentAccount,
    SegmentBlock,
    TrackEventBlock,
)

__all__ = [
    "SEGMENT",
    "AliasBlock",
    "GroupBlock",
    "IdentifyUserBlock",
    "PageViewBlock",
    "ScreenBlock",
    "SegmentAccount",
    "SegmentBlock",
    "TrackEventBlock",
    "send_to_segment",
]
