"""`segflow destination add|list|update|rename|check|remove|default`: the Segment accounts
messages go to."""

import sys
from typing import Annotated

import typer
from rich.table import Table

from segflow.accounts import (
    account_states,
    check_connection,
    remove_account,
    rename_account,
    update_account,
)
from segflow.cli.app import app
from segflow.cli.context import console, open_segflow
from segflow.destinations import check_endpoint
from segflow.errors import DestinationError

destination = typer.Typer(help="Segment accounts (sources) that receive messages.")
app.add_typer(destination, name="destination")


@destination.command()
def add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="A name for this account, e.g. 'production'.")],
    write_key: Annotated[
        str | None,
        typer.Option(
            "--write-key",
            help="The source's Write Key; '-' reads it from standard input. When omitted it "
            "is asked for in a terminal (read from standard input otherwise), so it stays "
            "out of history.",
        ),
    ] = None,
    endpoint: Annotated[
        str, typer.Option(help="'us' (default), 'eu', or a Segment-compatible base URL.")
    ] = "us",
    default: Annotated[bool, typer.Option("--default", help="Send here by default.")] = False,
) -> None:
    """Add a Segment account; its Write Key is stored encrypted."""
    checked = check_endpoint(endpoint)
    write_key = _read_write_key(write_key)
    with open_segflow(ctx) as segflow:
        added = segflow.destinations.add(name, write_key, endpoint, default=default)
    _print_notes(checked.notes)
    console.print(
        f"Added destination {added.name} ({added.region}: {added.endpoint}, "
        f"Write Key {added.masked_write_key})" + (", the default" if added.is_default else "")
    )


def _read_write_key(given: str | None) -> str:
    """The Write Key given, read from standard input ('-', or omitted with input piped in),
    or asked for in a terminal."""
    if given is None and sys.stdin.isatty():
        return typer.prompt(
            "Write Key (Segment dashboard: Sources, select the source, API Keys)",
            hide_input=True,
        ).strip()
    if given is None or given == "-":
        given = sys.stdin.readline().strip()
        if not given:
            raise DestinationError(
                "No Write Key: give --write-key KEY, or pipe it in with --write-key -"
            )
    return given


@destination.command("list")
def list_destinations(ctx: typer.Context) -> None:
    """List the Segment accounts and how their delivery goes."""
    with open_segflow(ctx) as segflow:
        states = account_states(segflow)
    table = Table("Name", "Region", "Endpoint", "Write Key", "Default", "Queued", "State")
    for state in states:
        row = state.destination
        table.add_row(
            row.name if not state.built_in else f"{row.name} ({state.label})",
            row.region,
            row.endpoint,
            row.masked_write_key,
            "yes" if row.is_default else "",
            str(state.queued),
            f"retrying: {state.last_error}" if state.last_error else state.health,
        )
    if states:
        console.print(table)
    else:
        console.print("No destinations yet: messages go to the built-in test collector.")


def _print_notes(notes: tuple[str, ...]) -> None:
    """What the endpoint check changed or recognised, before the result line."""
    for note in notes:
        console.print(f"Note: {note}", markup=False)


@destination.command()
def update(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The account's name.")],
    endpoint: Annotated[
        str | None,
        typer.Option(help="'us', 'eu', or a Segment-compatible base URL (an EU workspace: 'eu')."),
    ] = None,
    region: Annotated[
        str | None, typer.Option(help="'us' or 'eu'; the same as --endpoint.")
    ] = None,
    write_key: Annotated[
        str | None,
        typer.Option(
            "--write-key",
            help="The new Write Key; '-' reads it from standard input, out of history.",
        ),
    ] = None,
) -> None:
    """Change an account's endpoint or Write Key; its waiting messages go out at once."""
    if endpoint is not None and region is not None:
        raise DestinationError("Give --endpoint or --region, not both")
    if region is not None and region.lower() not in ("us", "eu"):
        raise DestinationError(
            f"--region is 'us' or 'eu', not {region!r}; use --endpoint for a URL"
        )
    notes = check_endpoint(endpoint).notes if endpoint is not None else ()
    if write_key is not None:
        write_key = _read_write_key(write_key)
    with open_segflow(ctx) as segflow:
        changed = update_account(segflow, name, endpoint=endpoint or region, write_key=write_key)
    _print_notes(notes)
    console.print(
        f"Updated destination {changed.name} ({changed.region}: {changed.endpoint}, "
        f"Write Key {changed.masked_write_key}); its waiting messages are sent again now"
    )


@destination.command()
def rename(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The account's name.")],
    new_name: Annotated[str, typer.Argument(help="Its new name.")],
) -> None:
    """Rename an account, and the name in flow drafts that use it."""
    with open_segflow(ctx) as segflow:
        renamed = rename_account(segflow, name, new_name)
    drafts = ", ".join(renamed.drafts)
    console.print(
        f"Renamed destination {name} to {renamed.destination.name}"
        + (f"; the drafts of {drafts} now name it" if drafts else "")
    )


@destination.command()
def check(
    ctx: typer.Context, name: Annotated[str, typer.Argument(help="The account's name.")]
) -> None:
    """Send an empty batch with the account's Write Key: no event reaches your data."""
    with open_segflow(ctx) as segflow:
        checked = check_connection(segflow, name)
    console.print(f"Sent {checked.sent}.")
    console.print(checked.outcome)
    if not checked.ok:
        raise typer.Exit(1)


@destination.command()
def remove(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The account's name.")],
    move_to: Annotated[
        str | None,
        typer.Option(help="Another account that gets its undelivered messages."),
    ] = None,
    drop_queued: Annotated[
        bool,
        typer.Option(
            "--drop-queued",
            help="Delete its undelivered messages, dead letters included (asks first).",
        ),
    ] = False,
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask before dropping.")] = False,
) -> None:
    """Remove an account; its undelivered messages move to another one, or are dropped."""
    with open_segflow(ctx) as segflow:
        if drop_queued and not yes:
            waiting = next(
                (s.queued + s.dead for s in account_states(segflow) if s.destination.name == name),
                0,
            )
            if waiting and not typer.confirm(
                f"Drop {waiting} undelivered message(s) of {name} for good?"
            ):
                raise typer.Exit(1)
        removed = remove_account(segflow, name, move_to=move_to, drop=drop_queued)
    done = f"Removed destination {name}"
    if removed.moved_to:
        done += f"; {removed.moved} undelivered message(s) moved to {removed.moved_to}"
    elif drop_queued:
        done += f"; {removed.dropped} undelivered message(s) dropped"
    if removed.drafts:
        drafts = ", ".join(removed.drafts)
        done += f". The drafts of {drafts} still name it: choose another account there"
    console.print(done)


@destination.command("default")
def make_default(
    ctx: typer.Context, name: Annotated[str, typer.Argument(help="The account's name.")]
) -> None:
    """Make a Segment account the default one."""
    with open_segflow(ctx) as segflow:
        segflow.destinations.set_default(name)
    console.print(f"{name} is now the default destination")
