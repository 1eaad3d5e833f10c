"""Media bubbles: a video, a sound or another web page the bot shows. They run and the chat
goes straight on."""

from __future__ import annotations

from pydantic import Field

from segflow.blocks.base import TEMPLATE, BlockOptions, BlockType, Step
from segflow.blocks.context import (
    AudioMessage,
    BlockContext,
    BotMessage,
    EmbedMessage,
    VideoMessage,
)
from segflow.blocks.formatting import is_web_address
from segflow.segment import fill

_URL = Field(
    title="URL",
    description="An https:// address; may use {{variables}}.",
    json_schema_extra=TEMPLATE,
)


class VideoBubble(BlockOptions):
    """A video the chat plays (a video file's address)."""

    url: str = _URL


class AudioBubble(BlockOptions):
    """A sound the chat plays (an audio file's address)."""

    url: str = _URL


class EmbedBubble(BlockOptions):
    """Another web page, shown in the chat."""

    url: str = _URL
    height: int | None = Field(
        None, gt=0, le=2000, title="Height", description="In pixels, where the page is framed."
    )


def _address(url: str, noun: str, chat: BlockContext) -> str | None:
    """The filled-in address, or None (with a warning) when it is no web address."""
    filled = fill(url, chat.variables).strip()
    if is_web_address(filled):
        return filled
    shown = f'"{filled}"' if filled else "empty"
    chat.log("warning", f"The {noun} URL is {shown}, not a web address: it is left out")
    return None


def _say(message: BotMessage | None, chat: BlockContext) -> Step:
    if message is not None:
        chat.say(message)
    return None


def show_video(options: VideoBubble, chat: BlockContext) -> Step:
    url = _address(options.url, "video", chat)
    return _say(VideoMessage(url=url) if url else None, chat)


def play_audio(options: AudioBubble, chat: BlockContext) -> Step:
    url = _address(options.url, "audio", chat)
    return _say(AudioMessage(url=url) if url else None, chat)


def show_embed(options: EmbedBubble, chat: BlockContext) -> Step:
    url = _address(options.url, "embedded page", chat)
    return _say(EmbedMessage(url=url, height=options.height) if url else None, chat)


VIDEO = BlockType(
    name="video", title="Video", category="bubble", options=VideoBubble, run=show_video
)
AUDIO = BlockType(
    name="audio", title="Audio", category="bubble", options=AudioBubble, run=play_audio
)
EMBED = BlockType(
    name="embed", title="Embed", category="bubble", options=EmbedBubble, run=show_embed
)
