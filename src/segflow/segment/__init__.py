"""Segment actions and the Spec messages they become: pure functions, no I/O."""

from segflow.segment.actions import (
    ACTIONS,
    SEGMENT_ACTION_ADAPTER,
    ActionBase,
    Alias,
    Group,
    IdentifyUser,
    PageView,
    Screen,
    SegmentAction,
    TrackEvent,
)
from segflow.segment.messages import (
    MAX_MESSAGE_BYTES,
    MAX_MESSAGE_ID_LENGTH,
    SegmentMessage,
    build_message,
    message_from_body,
)
from segflow.segment.templating import as_text, fill, variable_name, variables_in
from segflow.segment.values import KeyValue, ValueType, as_number, build_object, parse_number

__all__ = [
    "ACTIONS",
    "MAX_MESSAGE_BYTES",
    "MAX_MESSAGE_ID_LENGTH",
    "SEGMENT_ACTION_ADAPTER",
    "ActionBase",
    "Alias",
    "Group",
    "IdentifyUser",
    "KeyValue",
    "PageView",
    "Screen",
    "SegmentAction",
    "SegmentMessage",
    "TrackEvent",
    "ValueType",
    "as_number",
    "as_text",
    "build_message",
    "build_object",
    "fill",
    "message_from_body",
    "parse_number",
    "variable_name",
    "variables_in",
]
