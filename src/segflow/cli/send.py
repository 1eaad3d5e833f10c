"""`segflow send ACTION`: queue one Segment message from the terminal."""

from enum import StrEnum
from typing import Annotated, Any

import typer
from pydantic import ValidationError

from segflow.cli.app import app
from segflow.cli.context import console, open_segflow
from segflow.cli.deliver import deliver_until_empty, time_limit_option
from segflow.cli.values import parse_pairs, parse_variables
from segflow.errors import SegflowError
from segflow.segment import SEGMENT_ACTION_ADAPTER, build_message


class Action(StrEnum):
    identify = "identify"
    alias = "alias"
    track = "track"
    page = "page"
    group = "group"
    screen = "screen"


# Per action: its name in segflow, what the NAME argument means, and the options it takes.
ACTIONS: dict[Action, tuple[str, str | None, frozenset[str]]] = {
    Action.identify: ("Identify User", None, frozenset({"user_id", "email", "traits"})),
    Action.alias: ("Alias", None, frozenset({"previous_id", "user_id"})),
    Action.track: ("Track Event", "event_name", frozenset({"user_id", "properties"})),
    Action.page: ("Page View", "name", frozenset({"user_id", "category", "properties"})),
    Action.group: ("Group", "group_id", frozenset({"user_id", "traits"})),
    Action.screen: ("Screen", "name", frozenset({"user_id", "properties"})),
}
OPTION_NAMES = {
    "user_id": "--user-id",
    "email": "--email",
    "previous_id": "--previous-id",
    "category": "--category",
    "traits": "--trait",
    "properties": "--property",
}


@app.command(
    epilog="Examples: segflow send track 'Lead Captured' --user-id u-42 --property score:=9.5 · "
    "segflow send identify --user-id u-42 --email ada@example.com --trait plan=pro"
)
def send(
    ctx: typer.Context,
    action: Annotated[Action, typer.Argument(help="The Segment call to make.")],
    name: Annotated[
        str | None,
        typer.Argument(
            help="Event Name (track), page or screen Name (page, screen), Group ID (group)."
        ),
    ] = None,
    user_id: Annotated[str | None, typer.Option("--user-id", help="The user's ID.")] = None,
    email: Annotated[
        str | None, typer.Option(help="identify: the user's email (goes into traits.email).")
    ] = None,
    previous_id: Annotated[
        str | None, typer.Option("--previous-id", help="alias: the user's former ID.")
    ] = None,
    category: Annotated[str | None, typer.Option(help="page: the page's category.")] = None,
    trait: Annotated[
        list[str] | None,
        typer.Option(help="identify, group: key=text or key:=json; dotted keys nest."),
    ] = None,
    property: Annotated[
        list[str] | None,
        typer.Option(help="track, page, screen: key=text or key:=json; dotted keys nest."),
    ] = None,
    anonymous_id: Annotated[
        str, typer.Option("--anonymous-id", help="Ties events to a visitor before they are known.")
    ] = "",
    timestamp: Annotated[
        str, typer.Option(help="When it happened (ISO-8601); now if omitted.")
    ] = "",
    message_id: Annotated[
        str, typer.Option("--message-id", help="Your own messageId (Segment dedupes on it).")
    ] = "",
    context: Annotated[str, typer.Option(help="Extra context, a JSON object.")] = "",
    integrations: Annotated[
        str, typer.Option(help='Destination switches, a JSON object, e.g. {"All": false}.')
    ] = "",
    destination: Annotated[
        str | None, typer.Option("--destination", "-d", help="Account name (default: the default).")
    ] = None,
    var: Annotated[
        list[str] | None,
        typer.Option(help="Fills {{name}} templates: name=text or name:=json."),
    ] = None,
    deliver: Annotated[
        bool, typer.Option("--deliver", help="Deliver everything queued now, then return.")
    ] = False,
    time_limit: Annotated[float | None, time_limit_option("--deliver")] = None,
) -> None:
    """Queue one Segment message: identify, alias, track, page, group or screen."""
    if time_limit is not None and not deliver:
        raise SegflowError("--time-limit applies to --deliver only")
    title, name_field, takes = ACTIONS[action]
    given: dict[str, Any] = {
        "user_id": user_id,
        "email": email,
        "previous_id": previous_id,
        "category": category,
        "traits": parse_pairs("--trait", trait) if trait else None,
        "properties": parse_pairs("--property", property) if property else None,
    }
    refused = [
        OPTION_NAMES[field] for field, value in given.items() if value and field not in takes
    ]
    if refused:
        raise SegflowError(f"segflow send {action}: {', '.join(refused)} does not apply here")
    fields = {field: value for field, value in given.items() if value is not None}
    if name_field is not None:
        if not name:
            raise SegflowError(f"segflow send {action} needs its NAME argument")
        fields[name_field] = name
    elif name:
        raise SegflowError(f"segflow send {action} takes no NAME argument (got {name!r})")
    for field in ("user_id", "email", "previous_id"):
        if field in takes:
            fields.setdefault(field, "")
    try:
        chosen = SEGMENT_ACTION_ADAPTER.validate_python(
            {
                "action": title,
                **fields,
                "anonymous_id": anonymous_id,
                "timestamp": timestamp,
                "message_id": message_id,
                "context": context,
                "integrations": integrations,
            }
        )
    except ValidationError as error:
        raise SegflowError(f"{title}: {error.errors()[0]['msg']}") from error
    with open_segflow(ctx) as segflow:
        message = build_message(chosen, parse_variables(var))
        target = segflow.queue(message, destination=destination)
        console.print(
            f"Queued {message.type} message {message.message_id} for {target.name} "
            f"({target.endpoint}, Write Key {target.masked_write_key})"
        )
        if deliver:
            deliver_until_empty(segflow, time_limit)
