"""Flows: the document model, reading and checking it, its JSON Schema, and the turn engine."""

from segflow.flow.documents import DocumentError, parse_document
from segflow.flow.engine import awaited_input, continue_session, start_session
from segflow.flow.loading import (
    CheckedFlow,
    check_flow_document,
    load_flow,
    parse_flow,
    read_document,
)
from segflow.flow.model import (
    AutoTrack,
    Block,
    Flow,
    FlowReading,
    Group,
    Position,
    SegmentSettings,
    Start,
    Variable,
)
from segflow.flow.problems import FlowError, FlowProblem
from segflow.flow.schema import flow_json_schema
from segflow.flow.session import ChatEndedError, ChatStatus, SessionState
from segflow.flow.turn import AwaitedInput, QueuedMessage, Turn, TurnLog
from segflow.flow.validation import check_flow, flow_warnings

__all__ = [
    "AutoTrack",
    "AwaitedInput",
    "Block",
    "ChatEndedError",
    "ChatStatus",
    "CheckedFlow",
    "DocumentError",
    "Flow",
    "FlowError",
    "FlowProblem",
    "FlowReading",
    "Group",
    "Position",
    "QueuedMessage",
    "SegmentSettings",
    "SessionState",
    "Start",
    "Turn",
    "TurnLog",
    "Variable",
    "awaited_input",
    "check_flow",
    "check_flow_document",
    "continue_session",
    "flow_json_schema",
    "flow_warnings",
    "load_flow",
    "parse_document",
    "parse_flow",
    "read_document",
    "start_session",
]
