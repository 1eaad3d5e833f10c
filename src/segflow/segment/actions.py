"""The Segment actions a flow can run, one model per Segment call.

Each model is the whole definition of its action: the editor draws the form from its
JSON Schema (titles, descriptions, required keys, `ui` hints), the API and flow files
validate with it, and `messages.build_message` turns a validated one into a message.
Every text field may contain `{{variable}}` templates, so "required" here means the
key must be present; whether the value is empty is only known after filling it in.
"""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter
from pydantic.alias_generators import to_camel

from segflow.segment.values import KeyValue

Template = Annotated[str, Field(json_schema_extra={"ui": "template"})]
AdvancedTemplate = Annotated[str, Field(json_schema_extra={"ui": "template", "advanced": True})]
KeyValues = Annotated[list[KeyValue], Field(json_schema_extra={"ui": "key-value"})]

_SESSION_USER = "When it fills in empty, the chat session's user ID is used."


class ActionBase(BaseModel):
    """Fields every Segment message may take; the editor shows them as advanced options."""

    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        serialize_by_alias=True,
        extra="forbid",
    )

    message_type: ClassVar[str]
    """The Segment call this action makes: identify, alias, track, page, group or screen."""

    anonymous_id: AdvancedTemplate = Field(
        "",
        title="Anonymous ID",
        description="Identifies a visitor not known by a User ID yet. "
        "Leave empty to use the chat session's anonymous ID.",
    )
    timestamp: AdvancedTemplate = Field(
        "",
        title="Timestamp",
        description="When it happened, as ISO-8601 (2024-05-01T12:00:00Z). "
        "Leave empty for the moment the block runs.",
    )
    context: AdvancedTemplate = Field(
        "",
        title="Context",
        description='Extra context as a JSON object, e.g. {"locale": "{{locale}}"}. '
        "segflow always sets context.library itself.",
    )
    integrations: AdvancedTemplate = Field(
        "",
        title="Integrations",
        description="Which destinations get this message, as a JSON object, "
        'e.g. {"All": true, "Mixpanel": false}.',
    )
    message_id: AdvancedTemplate = Field(
        "",
        title="Message ID",
        description="Segment keeps only the first message with a given ID (for about a day). "
        "At most 100 characters; leave empty for a fresh ID.",
    )


class IdentifyUser(ActionBase):
    """Tell Segment who the person in the chat is and what you know about them."""

    message_type: ClassVar[str] = "identify"

    action: Literal["Identify User"] = Field("Identify User", title="Action")
    user_id: Template = Field(
        title="User ID",
        description=f"Your ID for this person, e.g. from your database. {_SESSION_USER}",
    )
    email: Template = Field(
        "", title="Email", description="Sent as the email trait; leave empty for none."
    )
    traits: KeyValues = Field(
        default_factory=list,
        title="Traits",
        description="What you know about the person: name, plan, company...",
    )


class Alias(ActionBase):
    """Tell Segment that two IDs are the same person, e.g. before and after sign-up."""

    message_type: ClassVar[str] = "alias"

    action: Literal["Alias"] = Field("Alias", title="Action")
    previous_id: Template = Field(
        title="Previous ID",
        description="The ID the person had until now, often their anonymous ID.",
    )
    user_id: Template = Field(
        title="User ID",
        description=f"The ID the person is known by from now on. {_SESSION_USER}",
    )


class TrackEvent(ActionBase):
    """Record something the person did, such as "Order Completed"."""

    message_type: ClassVar[str] = "track"

    action: Literal["Track Event"] = Field("Track Event", title="Action")
    event_name: Template = Field(
        title="Event Name",
        description='What happened, in past tense: "Signed Up", "Order Completed".',
    )
    user_id: Template = Field(
        title="User ID",
        description=f"Who did it. {_SESSION_USER}",
    )
    properties: KeyValues = Field(
        default_factory=list,
        title="Properties",
        description="Details of the event: price, plan, product...",
    )


class PageView(ActionBase):
    """Record that the person saw a page of a website."""

    message_type: ClassVar[str] = "page"

    action: Literal["Page View"] = Field("Page View", title="Action")
    name: Template = Field(title="Name", description="The page's name, e.g. Pricing.")
    category: Template = Field(
        "", title="Category", description="The group of pages it belongs to, e.g. Docs."
    )
    properties: KeyValues = Field(
        default_factory=list,
        title="Properties",
        description="Details of the page: url, path, title, referrer...",
    )
    user_id: Template = Field(
        "",
        title="User ID",
        description="Who saw it. Leave empty to use the chat session's user ID, if any.",
    )


class Group(ActionBase):
    """Put the person in a group, such as a company, team or account."""

    message_type: ClassVar[str] = "group"

    action: Literal["Group"] = Field("Group", title="Action")
    group_id: Template = Field(title="Group ID", description="Your ID for the group.")
    user_id: Template = Field(
        "",
        title="User ID",
        description="Who joins it. Leave empty to use the chat session's user ID, if any.",
    )
    traits: KeyValues = Field(
        default_factory=list,
        title="Traits",
        description="What you know about the group: name, industry, employees...",
    )


class Screen(ActionBase):
    """Record that the person saw a screen of a mobile app."""

    message_type: ClassVar[str] = "screen"

    action: Literal["Screen"] = Field("Screen", title="Action")
    name: Template = Field(title="Name", description="The screen's name, e.g. Checkout.")
    user_id: Template = Field(
        "",
        title="User ID",
        description="Who saw it. Leave empty to use the chat session's user ID, if any.",
    )
    properties: KeyValues = Field(
        default_factory=list,
        title="Properties",
        description="Details of the screen.",
    )


SegmentAction = Annotated[
    IdentifyUser | Alias | TrackEvent | PageView | Group | Screen,
    Field(discriminator="action"),
]
SEGMENT_ACTION_ADAPTER: TypeAdapter[SegmentAction] = TypeAdapter(SegmentAction)
ACTIONS: tuple[type[ActionBase], ...] = (IdentifyUser, Alias, TrackEvent, PageView, Group, Screen)
