"""Actions for the chat window: pause, or send the visitor to another page. The server never
waits or navigates: the turn's answer tells the chat window to (Typebot's client-side
actions), so a turn never holds a thread."""

from __future__ import annotations

from pydantic import Field

from segflow.blocks.base import TEMPLATE, BlockOptions, BlockType, Step
from segflow.blocks.context import BlockContext, RedirectMessage, WaitMessage
from segflow.blocks.formatting import is_web_address
from segflow.segment import fill


class Wait(BlockOptions):
    """Pauses the chat window before it shows what follows."""

    seconds: float = Field(
        ge=0,
        title="Seconds",
        description="How long the chat window pauses; at most the max_wait_seconds setting.",
    )


class Redirect(BlockOptions):
    """Sends the visitor to another web page."""

    url: str = Field(
        title="URL",
        description="An https:// address; may use {{variables}}.",
        json_schema_extra=TEMPLATE,
    )
    new_tab: bool = Field(
        False, title="Open in a new tab", description="Keep the chat open in this tab."
    )


def pause(options: Wait, chat: BlockContext) -> Step:
    ceiling = chat.limits.max_wait_seconds
    seconds = options.seconds
    if seconds > ceiling:
        chat.log(
            "warning",
            f"The wait of {seconds:g} seconds is longer than the max_wait_seconds setting "
            f"allows: the chat window pauses {ceiling:g} seconds",
            field="seconds",
        )
        seconds = ceiling
    chat.say(WaitMessage(seconds=seconds))
    return None


def redirect(options: Redirect, chat: BlockContext) -> Step:
    url = fill(options.url, chat.variables).strip()
    if not is_web_address(url):
        shown = f'"{url}"' if url else "empty"
        chat.log("warning", f"Redirect URL is {shown}, not a web address: the visitor stays")
        return None
    chat.say(RedirectMessage(url=url, new_tab=options.new_tab))
    return None


WAIT = BlockType(name="wait", title="Wait", category="logic", options=Wait, run=pause)
REDIRECT = BlockType(
    name="redirect", title="Redirect", category="logic", options=Redirect, run=redirect
)
