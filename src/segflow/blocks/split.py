"""A/B test: sends a share of chats down path A and the others down path B, at random."""

from __future__ import annotations

from pydantic import Field

from segflow.blocks.base import BlockOptions, BlockType, Exit, NextExit, Step
from segflow.blocks.context import BlockContext

_PATH = "The group this path goes to; without one, it goes on as the block's Next."


class ABTest(BlockOptions):
    """Splits the chats at random between two paths."""

    a_percent: float = Field(
        50, ge=0, le=100, title="Path A (%)", description="The share of chats that take path A."
    )
    a: NextExit = Field(None, title="Path A", description=_PATH)
    b: NextExit = Field(None, title="Path B", description=_PATH)

    def exits(self) -> list[tuple[str, Exit]]:
        return [(f"path {name}", path) for name, path in (("A", self.a), ("B", self.b)) if path]


def split(options: ABTest, chat: BlockContext) -> Step:
    # Without an exit of its own, a path goes on to the block's `next`.
    return options.a if chat.random() * 100 < options.a_percent else options.b


AB_TEST = BlockType(name="abTest", title="A/B test", category="logic", options=ABTest, run=split)
