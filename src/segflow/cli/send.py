"""`segflow send ACTION`: queue one Segment message from the terminal."""

from typing import Annotated

import typer

from segflow.cli.app import app
from segflow.cli.context import console, open_segflow
from segflow.cli.deliver import deliver_until_empty
from segflow.cli.values import parse_pairs, parse_variables
from segflow.segment import (
    Alias,
    Group,
    IdentifyUser,
    PageView,
    Screen,
    SegmentAction,
    TrackEvent,
    build_message,
)

send = typer.Typer(help="Queue one Segment message (templates like {{name}} take --var values).")
app.add_typer(send, name="send")

UserId = Annotated[str, typer.Option("--user-id", help="The user's ID in your product.")]
OptionalUserId = Annotated[str, typer.Option("--user-id", help="The user's ID, if known.")]
Traits = Annotated[
    list[str] | None,
    typer.Option("--trait", help="key=text or key:=json (dotted keys nest: address.city=Oslo)."),
]
Properties = Annotated[
    list[str] | None,
    typer.Option("--property", help="key=text or key:=json (dotted keys nest)."),
]
AnonymousId = Annotated[
    str, typer.Option("--anonymous-id", help="Ties events to a visitor before they are known.")
]
Timestamp = Annotated[str, typer.Option(help="When it happened (ISO-8601); now if omitted.")]
MessageId = Annotated[str, typer.Option("--message-id", help="Your own messageId (for dedupe).")]
Context = Annotated[str, typer.Option(help="Extra context as a JSON object.")]
Integrations = Annotated[str, typer.Option(help='Destination switches, e.g. {"All": false}.')]
Destination = Annotated[
    str | None, typer.Option("--destination", "-d", help="Account name (default: the default).")
]
Variables = Annotated[
    list[str] | None, typer.Option("--var", help="Template variable: name=text or name:=json.")
]
Deliver = Annotated[
    bool, typer.Option("--deliver", help="Deliver everything queued now, then return.")
]


def _queue(
    ctx: typer.Context,
    action: SegmentAction,
    destination: str | None,
    variables: list[str] | None,
    deliver: bool,
) -> None:
    with open_segflow(ctx) as segflow:
        message = build_message(action, parse_variables(variables))
        target = segflow.queue(message, destination=destination)
        console.print(
            f"Queued {message.type} message {message.message_id} for {target.name} "
            f"({target.endpoint}, Write Key {target.masked_write_key})"
        )
        if deliver:
            deliver_until_empty(segflow)


@send.command()
def identify(
    ctx: typer.Context,
    user_id: UserId,
    email: Annotated[str, typer.Option(help="The user's email (goes into traits.email).")],
    trait: Traits = None,
    anonymous_id: AnonymousId = "",
    timestamp: Timestamp = "",
    message_id: MessageId = "",
    context: Context = "",
    integrations: Integrations = "",
    destination: Destination = None,
    var: Variables = None,
    deliver: Deliver = False,
) -> None:
    """Identify User: who the user is, with their traits."""
    action = IdentifyUser(
        user_id=user_id,
        email=email,
        traits=parse_pairs("--trait", trait),
        anonymous_id=anonymous_id,
        timestamp=timestamp,
        message_id=message_id,
        context=context,
        integrations=integrations,
    )
    _queue(ctx, action, destination, var, deliver)


@send.command()
def alias(
    ctx: typer.Context,
    previous_id: Annotated[str, typer.Option("--previous-id", help="The user's former ID.")],
    user_id: UserId,
    timestamp: Timestamp = "",
    message_id: MessageId = "",
    context: Context = "",
    integrations: Integrations = "",
    destination: Destination = None,
    var: Variables = None,
    deliver: Deliver = False,
) -> None:
    """Alias: join a previous ID to a user ID."""
    action = Alias(
        previous_id=previous_id,
        user_id=user_id,
        timestamp=timestamp,
        message_id=message_id,
        context=context,
        integrations=integrations,
    )
    _queue(ctx, action, destination, var, deliver)


@send.command()
def track(
    ctx: typer.Context,
    event: Annotated[str, typer.Argument(help="Event Name, e.g. 'Lead Captured'.")],
    user_id: UserId = "",
    property: Properties = None,
    anonymous_id: AnonymousId = "",
    timestamp: Timestamp = "",
    message_id: MessageId = "",
    context: Context = "",
    integrations: Integrations = "",
    destination: Destination = None,
    var: Variables = None,
    deliver: Deliver = False,
) -> None:
    """Track Event: something the user did."""
    action = TrackEvent(
        event_name=event,
        user_id=user_id,
        properties=parse_pairs("--property", property),
        anonymous_id=anonymous_id,
        timestamp=timestamp,
        message_id=message_id,
        context=context,
        integrations=integrations,
    )
    _queue(ctx, action, destination, var, deliver)


@send.command()
def page(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Page name, e.g. the step of the chat.")],
    category: Annotated[str, typer.Option(help="Page category.")] = "",
    user_id: OptionalUserId = "",
    property: Properties = None,
    anonymous_id: AnonymousId = "",
    timestamp: Timestamp = "",
    message_id: MessageId = "",
    context: Context = "",
    integrations: Integrations = "",
    destination: Destination = None,
    var: Variables = None,
    deliver: Deliver = False,
) -> None:
    """Page View: where the user is, e.g. a step of the chatbot."""
    action = PageView(
        name=name,
        category=category,
        user_id=user_id,
        properties=parse_pairs("--property", property),
        anonymous_id=anonymous_id,
        timestamp=timestamp,
        message_id=message_id,
        context=context,
        integrations=integrations,
    )
    _queue(ctx, action, destination, var, deliver)


@send.command()
def group(
    ctx: typer.Context,
    group_id: Annotated[str, typer.Argument(help="The group's (company's, team's) ID.")],
    user_id: OptionalUserId = "",
    trait: Traits = None,
    anonymous_id: AnonymousId = "",
    timestamp: Timestamp = "",
    message_id: MessageId = "",
    context: Context = "",
    integrations: Integrations = "",
    destination: Destination = None,
    var: Variables = None,
    deliver: Deliver = False,
) -> None:
    """Group: put the user in a company, team or account."""
    action = Group(
        group_id=group_id,
        user_id=user_id,
        traits=parse_pairs("--trait", trait),
        anonymous_id=anonymous_id,
        timestamp=timestamp,
        message_id=message_id,
        context=context,
        integrations=integrations,
    )
    _queue(ctx, action, destination, var, deliver)


@send.command()
def screen(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Screen name.")],
    user_id: OptionalUserId = "",
    property: Properties = None,
    anonymous_id: AnonymousId = "",
    timestamp: Timestamp = "",
    message_id: MessageId = "",
    context: Context = "",
    integrations: Integrations = "",
    destination: Destination = None,
    var: Variables = None,
    deliver: Deliver = False,
) -> None:
    """Screen: a screen the user saw in an app."""
    action = Screen(
        name=name,
        user_id=user_id,
        properties=parse_pairs("--property", property),
        anonymous_id=anonymous_id,
        timestamp=timestamp,
        message_id=message_id,
        context=context,
        integrations=integrations,
    )
    _queue(ctx, action, destination, var, deliver)
