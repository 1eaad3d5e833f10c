"""What Typebot's clients read: the bot's bubbles, the input it waits on, and the logs, in
Typebot's shapes (see its `continueChatResponseSchema`), made from a segflow turn.

Every bubble has an `id`; `input` is left out once the chat has ended; inputs carry Typebot's
type names and option layout, and nothing of the flow's internals.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, Literal

import orjson
from fastapi import Response
from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from segflow.api.typebot.requests import TextFormat
from segflow.api.typebot.richtext import markdown, rich_text
from segflow.blocks import (
    AudioMessage,
    BotMessage,
    EmbedMessage,
    ImageMessage,
    RedirectMessage,
    TextMessage,
    VideoMessage,
    WaitMessage,
)
from segflow.flow import AwaitedInput, TurnLog

TYPEBOT_VERSION = "6"  # the schema version of Typebot whose shapes these are
# The system font: by default the embed loads Open Sans from a font CDN, so every visitor's
# browser would call a third party the website never chose.
THEME: dict[str, Any] = {"general": {"font": {"type": "Custom", "family": "system-ui"}}}

# segflow's input types as Typebot's; another block package's input is asked as text.
INPUT_TYPES = {
    "textInput": "text input",
    "emailInput": "email input",
    "numberInput": "number input",
    "choiceInput": "choice input",
    "urlInput": "url input",
    "phoneInput": "phone number input",
    "dateInput": "date input",
    "ratingInput": "rating input",
}


class _Answer(BaseModel):
    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, serialize_by_alias=True
    )


class RichTextContent(_Answer):
    type: Literal["richText"] = "richText"
    rich_text: list[dict[str, Any]] = Field(description="Slate nodes: a paragraph per line.")


class MarkdownContent(_Answer):
    type: Literal["markdown"] = "markdown"
    markdown: str


class TextBubble(_Answer):
    id: str
    type: Literal["text"] = "text"
    content: RichTextContent | MarkdownContent


class ClickLink(_Answer):
    url: str | None = None
    alt: str | None = Field(None, description="What the image shows.")


class ImageContent(_Answer):
    url: str
    click_link: ClickLink | None = None


class ImageBubble(_Answer):
    id: str
    type: Literal["image"] = "image"
    content: ImageContent


class VideoContent(_Answer):
    url: str
    type: Literal["url"] = Field("url", description="A video file's address.")


class VideoBubble(_Answer):
    id: str
    type: Literal["video"] = "video"
    content: VideoContent


class AudioContent(_Answer):
    url: str


class AudioBubble(_Answer):
    id: str
    type: Literal["audio"] = "audio"
    content: AudioContent


class EmbedContent(_Answer):
    url: str
    height: int | None = None


class EmbedBubble(_Answer):
    id: str
    type: Literal["embed"] = "embed"
    content: EmbedContent


Bubble = TextBubble | ImageBubble | VideoBubble | AudioBubble | EmbedBubble


class WaitAction(_Answer):
    seconds_to_wait_for: float


class RedirectAction(_Answer):
    url: str
    is_new_tab: bool = False


class ClientSideAction(_Answer):
    """Something the embed does rather than shows, after the bubble `lastBubbleBlockId` (before
    every bubble without one)."""

    type: Literal["wait", "redirect"]
    last_bubble_block_id: str | None = None
    wait: WaitAction | None = None
    redirect: RedirectAction | None = None


class InputLabels(_Answer):
    placeholder: str | None = None
    button: str | None = None
    left: str | None = Field(None, description="A rating's low end.")
    right: str | None = Field(None, description="A rating's high end.")


class InputOptions(_Answer):
    labels: InputLabels | None = None
    is_long: bool | None = None
    min: float | str | None = Field(None, description="A number, or a date as yyyy-mm-dd.")
    max: float | str | None = Field(None, description="A number, or a date as yyyy-mm-dd.")
    step: float | None = None
    is_multiple_choice: bool | None = None
    has_time: bool | None = None
    button_type: Literal["Icons", "Numbers"] | None = None
    length: int | None = Field(None, description="A rating's highest number.")
    starts_at: int | None = None
    default_country_code: str | None = Field(
        None, description="A phone input's country for numbers typed without +."
    )


class ChoiceItem(_Answer):
    id: str
    content: str | None = Field(None, description="The button's label.")
    value: str = Field(description="What the embed answers when the button is picked.")
    picture_src: str | None = Field(None, description="A picture choice's picture.")
    title: str | None = Field(None, description="A picture choice's label.")


class TypebotInput(_Answer):
    id: str = Field(description="The input block's ID.")
    type: str = Field(description="Typebot's type: `text input`, `choice input`...")
    options: InputOptions
    items: list[ChoiceItem] | None = None


class Log(_Answer):
    status: str = Field(description="`error`, `warning` or `info`.")
    description: str = Field(description="What happened, and where in the flow.")
    details: str | None = None


class TypebotInfo(_Answer):
    id: str = Field(description="The flow's ID.")
    version: str = TYPEBOT_VERSION
    theme: dict[str, Any] = Field(
        default_factory=lambda: dict(THEME),
        description="The embed's own look, in the page's system font.",
    )
    settings: dict[str, Any] = Field(
        default_factory=dict, description="Empty: the embed's defaults apply."
    )
    published_at: datetime | None = None


class ContinueChatResponse(_Answer):
    messages: list[Bubble]
    input: TypebotInput | None = Field(None, description="Left out once the chat has ended.")
    client_side_actions: list[ClientSideAction] | None = None
    logs: list[Log] | None = None

    @classmethod
    def of(
        cls,
        messages: Sequence[BotMessage],
        awaited: AwaitedInput | None,
        logs: Sequence[TurnLog],
        text_format: TextFormat,
    ) -> ContinueChatResponse:
        bubbles: list[Bubble] = []
        actions: list[ClientSideAction] = []
        notes = [Log(status=log.status, description=str(log), details=log.field) for log in logs]
        for message in messages:
            if (bubble := _bubble(message, text_format)) is not None:
                bubbles.append(bubble)
            elif (action := _action(message)) is not None:
                # Done once the bubbles before it are shown, as in Typebot's embed.
                action.last_bubble_block_id = bubbles[-1].id if bubbles else None
                actions.append(action)
            else:
                unshown = f'A "{message.type}" message has no Typebot bubble; it was left out'
                notes.append(Log(status="warning", description=unshown))
        return cls(
            messages=bubbles,
            input=typebot_input(awaited),
            client_side_actions=actions or None,
            logs=notes or None,
        )


class StartChatResponse(ContinueChatResponse):
    session_id: str = Field(description="For continueChat.")
    result_id: str | None = Field(
        None, description="segflow's chat ID: send it back as `resultId` to go on from it."
    )
    typebot: TypebotInfo


def typebot_info(flow_id: str, published_at: float | None) -> TypebotInfo:
    """startChat's `typebot`: the flow, and when the version the chat runs was published (a
    preview runs a draft, never published)."""
    when = datetime.fromtimestamp(published_at, UTC) if published_at is not None else None
    return TypebotInfo(id=flow_id, published_at=when)


def typebot_input(awaited: AwaitedInput | None) -> TypebotInput | None:
    if awaited is None:
        return None
    options = awaited.options
    kind = INPUT_TYPES.get(awaited.type, "text input")
    if kind == "choice input":
        listed = options.get("items", [])
        pictures = any(item.get("picture") for item in listed)
        items = [
            # The embed answers with `value`: the item's ID, which picks it whatever its label.
            ChoiceItem(
                id=item["id"],
                content=None if pictures else item["label"],
                value=item["id"],
                picture_src=item.get("picture") or None if pictures else None,
                title=item["label"] if pictures else None,
            )
            for item in listed
        ]
        return TypebotInput(
            id=awaited.block_id,
            type="picture choice input" if pictures else kind,
            options=InputOptions(is_multiple_choice=options.get("multiple") is True),
            items=items,
        )
    if kind == "rating input":
        return TypebotInput(id=awaited.block_id, type=kind, options=_rating(options))
    labels = InputLabels(
        placeholder=options.get("placeholder") or None, button=options.get("buttonLabel") or None
    )
    return TypebotInput(
        id=awaited.block_id,
        type=kind,
        options=InputOptions(
            labels=labels,
            is_long=options.get("long"),
            min=options.get("min"),
            max=options.get("max"),
            step=options.get("step"),
            has_time=options.get("hasTime"),
            default_country_code=options.get("defaultCountry") or None,
        ),
    )


def _rating(options: dict[str, Any]) -> InputOptions:
    labels = InputLabels(
        button=options.get("buttonLabel") or None,
        left=options.get("lowLabel") or None,
        right=options.get("highLabel") or None,
    )
    lowest, highest = options["lowest"], options["highest"]
    if options.get("icons") and lowest == 1:  # Typebot's stars go from 1 to length
        return InputOptions(labels=labels, button_type="Icons", length=highest)
    return InputOptions(labels=labels, button_type="Numbers", starts_at=lowest, length=highest)


def _text(message: TextMessage, text_format: TextFormat) -> RichTextContent | MarkdownContent:
    if text_format == "markdown":
        return MarkdownContent(markdown=markdown(message))
    return RichTextContent(rich_text=rich_text(message))


def _bubble(message: BotMessage, text_format: TextFormat) -> Bubble | None:
    if isinstance(message, TextMessage):
        return TextBubble(id=_bubble_id(), content=_text(message, text_format))
    if isinstance(message, ImageMessage):
        return ImageBubble(id=_bubble_id(), content=_image(message))
    if isinstance(message, VideoMessage):
        return VideoBubble(id=_bubble_id(), content=VideoContent(url=message.url))
    if isinstance(message, AudioMessage):
        return AudioBubble(id=_bubble_id(), content=AudioContent(url=message.url))
    if isinstance(message, EmbedMessage):
        content = EmbedContent(url=message.url, height=message.height)
        return EmbedBubble(id=_bubble_id(), content=content)
    return None


def _action(message: BotMessage) -> ClientSideAction | None:
    if isinstance(message, WaitMessage):
        return ClientSideAction(type="wait", wait=WaitAction(seconds_to_wait_for=message.seconds))
    if isinstance(message, RedirectMessage):
        target = RedirectAction(url=message.url, is_new_tab=message.new_tab)
        return ClientSideAction(type="redirect", redirect=target)
    return None


def _image(message: ImageMessage) -> ImageContent:
    return ImageContent(
        url=message.url, click_link=ClickLink(alt=message.alt) if message.alt else None
    )


def _bubble_id() -> str:
    return uuid.uuid4().hex


def typebot_json(body: BaseModel) -> Response:
    """`body` as Typebot's clients read it: fields without a value are left out."""
    dumped = body.model_dump(mode="json", exclude_none=True)
    return Response(orjson.dumps(dumped), media_type="application/json")
