"""Block types: what a flow is made of. One module per family, the Segment block in its own
package, and a registry that adds the block types of installed packages."""

from segflow.blocks.base import (
    CATEGORIES,
    NEXT_BLOCK,
    BlockOptions,
    BlockType,
    Category,
    Exit,
    NextBlock,
    Retry,
    Step,
)
from segflow.blocks.context import (
    BlockContext,
    BotMessage,
    ImageMessage,
    LogStatus,
    Semantics,
    Span,
    TextMessage,
)
from segflow.blocks.registry import (
    BUILT_IN,
    ENTRY_POINT_GROUP,
    BlockRegistry,
    BlockTypeError,
    default_registry,
    load_registry,
)

__all__ = [
    "BUILT_IN",
    "CATEGORIES",
    "ENTRY_POINT_GROUP",
    "NEXT_BLOCK",
    "BlockContext",
    "BlockOptions",
    "BlockRegistry",
    "BlockType",
    "BlockTypeError",
    "BotMessage",
    "Category",
    "Exit",
    "ImageMessage",
    "LogStatus",
    "NextBlock",
    "Retry",
    "Semantics",
    "Span",
    "Step",
    "TextMessage",
    "default_registry",
    "load_registry",
]
