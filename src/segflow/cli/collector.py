"""`segflow collector [events|show]`: run the built-in Segment-compatible collector, read it."""

from datetime import datetime
from typing import Annotated
from urllib.parse import urlsplit

import orjson
import typer
from pydantic import ValidationError
from rich.table import Table

from segflow.cli.app import app
from segflow.cli.context import console, settings
from segflow.collector.errors import CollectorError
from segflow.collector.faults import Faults
from segflow.collector.reading import CollectedEvent, find_event, list_events
from segflow.collector.storage import open_store
from segflow.store import Database

collector = typer.Typer(
    help="The built-in Segment-compatible collector, where events go without a Write Key. "
    "With no command it runs; faults can be changed while it runs with PUT /faults."
)
app.add_typer(collector, name="collector")

DatabaseUrl = Annotated[
    str | None,
    typer.Option(
        "--database-url",
        help="Database of received events (default: segflow's application database).",
    ),
]


FAULT_OPTIONS = {
    "status": "--fail-status",
    "times": "--fail-times",
    "retry_after": "--retry-after",
    "delay": "--delay",
    "reject_event": "--reject-event",
}


@collector.callback(invoke_without_command=True)
def run(
    ctx: typer.Context,
    host: Annotated[
        str | None, typer.Option(help="Address to listen on.", show_default="127.0.0.1")
    ] = None,
    port: Annotated[
        int | None,
        typer.Option(
            min=0,
            max=65535,
            help="Port to listen on (0: any free one).",
            show_default="8089, from SEGFLOW_COLLECTOR_URL",
        ),
    ] = None,
    database_url: DatabaseUrl = None,
    no_store: Annotated[
        bool, typer.Option("--no-store", help="Validate and count, store nothing (benchmarks).")
    ] = False,
    keep_days: Annotated[
        float | None,
        typer.Option(
            min=0,
            help="Delete stored events older than this many days (0: keep them forever).",
            show_default="7, from SEGFLOW_COLLECTOR_KEEP_DAYS",
        ),
    ] = None,
    write_keys: Annotated[
        list[str] | None,
        typer.Option("--write-key", help="Accept only this write key (repeatable); default any."),
    ] = None,
    fail_status: Annotated[
        int | None, typer.Option(help="Fault: answer this HTTP status instead of accepting.")
    ] = None,
    fail_times: Annotated[
        int | None, typer.Option(help="Fault: only for this many requests (default: all).")
    ] = None,
    retry_after: Annotated[
        float | None,
        typer.Option(help="Fault: send Retry-After with this many seconds (alone: answer 429)."),
    ] = None,
    delay: Annotated[
        float | None, typer.Option(help="Fault: wait this many seconds before answering.")
    ] = None,
    reject_event: Annotated[
        str | None,
        typer.Option(help="Fault: answer 400 to requests holding a message with this event."),
    ] = None,
) -> None:
    """Run the collector until interrupted."""
    if ctx.invoked_subcommand is not None:
        return
    listen = urlsplit(settings(ctx).collector_url)
    try:
        faults = Faults(
            status=fail_status,
            times=fail_times,
            retry_after=retry_after,
            delay=delay,
            reject_event=reject_event,
        )
    except ValidationError as error:
        problems = "; ".join(
            f"{' '.join(FAULT_OPTIONS.get(str(part), str(part)) for part in e['loc'])}: {e['msg']}"
            for e in error.errors()
        )
        raise CollectorError(f"Collector: {problems}") from None
    # Imported here: the web stack is needed to serve, not to list events.
    from segflow.allowed_hosts import parse_hosts
    from segflow.collector.server import CollectorOptions, serve

    options = CollectorOptions(
        host=host or listen.hostname or "127.0.0.1",
        port=port if port is not None else listen.port or 8089,
        database_url=None if no_store else database_url or settings(ctx).resolved_database_url,
        write_keys=frozenset(write_keys or ()),
        faults=faults,
        allowed_hosts=parse_hosts(settings(ctx).allowed_hosts),
        keep_days=settings(ctx).collector_keep_days if keep_days is None else keep_days,
    )
    serve(options, announce=lambda line: console.print(line, soft_wrap=True))


@collector.command()
def events(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option(min=1, help="How many, newest first.")] = 20,
    event_type: Annotated[
        str | None, typer.Option("--type", help="Only this type, e.g. track.")
    ] = None,
    database_url: DatabaseUrl = None,
) -> None:
    """List the events the collector received, newest first."""
    database = _open(ctx, database_url)
    try:
        found = list_events(database.engine, type=event_type, limit=limit)
    finally:
        database.dispose()
    if not found:
        console.print(
            "The collector has received no events"
            + (f" of type {event_type}." if event_type else ".")
        )
        return
    table = Table("Id", "Received", "Type", "Name", "User")
    table.add_column("messageId", overflow="fold")  # folded, never cut: it is what `show` takes
    for event in found:
        table.add_row(
            str(event.id),
            datetime.fromtimestamp(event.received_at).strftime("%Y-%m-%d %H:%M:%S"),
            event.type,
            event.name or "",
            _who(event),
            event.message_id or "",
        )
    console.print(table)


@collector.command()
def show(
    ctx: typer.Context,
    event: Annotated[str, typer.Argument(help="The event's id, or its messageId.")],
    database_url: DatabaseUrl = None,
) -> None:
    """Print one received event as JSON, as the collector stored it."""
    database = _open(ctx, database_url)
    try:
        found = find_event(database.engine, event)
    finally:
        database.dispose()
    if found is None:
        raise CollectorError(f"The collector has no event with id or messageId {event!r}")
    console.print_json(orjson.dumps(found.to_json()).decode())


def _open(ctx: typer.Context, database_url: str | None) -> Database:
    return open_store(database_url or settings(ctx).resolved_database_url)


def _who(event: CollectedEvent) -> str:
    if event.user_id:
        return event.user_id
    return f"anonymous {event.anonymous_id}" if event.anonymous_id else ""
