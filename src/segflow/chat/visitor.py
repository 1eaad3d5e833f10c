"""What a website tells about the visitor a chat talks to: the page, browser, locale, screen.

An embed sends it with startChat; the chat keeps it, and every Segment message of that chat
carries it as Segment's `context` (`context.page`, `context.userAgent`, ...).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel


class _VisitorPart(BaseModel):
    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        serialize_by_alias=True,
        extra="ignore",
        frozen=True,
    )


class Page(_VisitorPart):
    """The web page the chat is on, as Segment's `context.page` has it."""

    url: str | None = Field(None, max_length=2_000)
    path: str | None = Field(None, max_length=2_000)
    referrer: str | None = Field(None, max_length=2_000)
    title: str | None = Field(None, max_length=500)
    search: str | None = Field(None, max_length=2_000)


class Screen(_VisitorPart):
    width: int | None = Field(None, ge=0, le=100_000)
    height: int | None = Field(None, ge=0, le=100_000)
    density: float | None = Field(None, ge=0, le=100)


class Visitor(_VisitorPart):
    """Segment context of a chat's visitor; every part is optional."""

    page: Page | None = None
    user_agent: str | None = Field(None, max_length=1_000)
    locale: str | None = Field(None, max_length=100)
    timezone: str | None = Field(None, max_length=100)
    screen: Screen | None = None
    ip: str | None = Field(None, max_length=100)

    def segment_context(self) -> dict[str, Any]:
        """Segment's `context` fields this visitor fills (camelCase; the unknown left out)."""
        known = self.model_dump(mode="json", exclude_none=True)
        return {key: value for key, value in known.items() if value != {}}
