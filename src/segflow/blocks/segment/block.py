"""Running a Segment block: build the action's message for this chat, hand it to the turn.

The message carries the session's anonymous ID, its Segment context (the visitor's page,
browser...), and its remembered User ID when the block leaves User ID empty. After an
Identify User or Alias, the chat remembers the new User ID. A message that cannot be built
(an empty required field, over 32 KB) becomes an error in the turn's logs naming the field,
and the chat goes on.
"""

from __future__ import annotations

from segflow.blocks.base import BlockType, Step
from segflow.blocks.context import BlockContext
from segflow.blocks.segment.options import AliasBlock, IdentifyUserBlock, SegmentBlock
from segflow.errors import SegmentActionError
from segflow.segment import build_message, fill


def send_to_segment(options: SegmentBlock, chat: BlockContext) -> Step:
    action = options
    if isinstance(action, AliasBlock) and not fill(action.previous_id, chat.variables).strip():
        action = action.model_copy(update={"previous_id": chat.anonymous_id})
    try:
        message = build_message(
            action,
            chat.variables,
            anonymous_id=chat.anonymous_id,
            user_id=chat.user_id,
            context=chat.segment_context,
            anonymous_visitor=True,
        )
    except SegmentActionError as error:
        chat.log("error", f"{error}; nothing was sent", field=error.field)
        return None
    chat.queue(message, options.destination.strip() or None)
    if isinstance(options, IdentifyUserBlock | AliasBlock):
        chat.remember_user(message.body()["userId"])
    return None


SEGMENT = BlockType(
    name="segment",
    title="Segment",
    category="integration",
    options=SegmentBlock,
    run=send_to_segment,
    description="Sends an Identify User, Alias, Track Event, Page View, Group or Screen "
    "message to Twilio Segment.",
)
