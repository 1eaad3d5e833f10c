"""Bubbles: what the bot says. They run and the chat goes straight on."""

from __future__ import annotations

from pydantic import Field

from segflow.blocks.base import TEMPLATE, BlockOptions, BlockType, Step
from segflow.blocks.context import BlockContext, ImageMessage
from segflow.blocks.formatting import format_text, is_web_address
from segflow.segment import fill


class TextBubble(BlockOptions):
    """A message from the bot."""

    text: str = Field(
        title="Text",
        description="May use {{variables}} and **bold**, *italic*, [label](https://…); "
        "line breaks are kept.",
        json_schema_extra={**TEMPLATE, "multiline": True},
    )


class ImageBubble(BlockOptions):
    """A picture from the bot."""

    url: str = Field(
        title="Image URL",
        description="An https:// address; may use {{variables}}.",
        json_schema_extra=TEMPLATE,
    )
    alt: str = Field(
        "",
        title="Description",
        description="What the image shows, for people who cannot see it.",
        json_schema_extra=TEMPLATE,
    )


def say_text(options: TextBubble, chat: BlockContext) -> Step:
    chat.say(format_text(options.text, chat.variables))
    return None


def show_image(options: ImageBubble, chat: BlockContext) -> Step:
    url = fill(options.url, chat.variables).strip()
    if not is_web_address(url):
        shown = f'"{url}"' if url else "empty"
        chat.log("warning", f"Image URL is {shown}, not a web address: the image is left out")
        return None
    chat.say(ImageMessage(url=url, alt=fill(options.alt, chat.variables)))
    return None


TEXT = BlockType(name="text", title="Text", category="bubble", options=TextBubble, run=say_text)
IMAGE = BlockType(
    name="image", title="Image", category="bubble", options=ImageBubble, run=show_image
)
