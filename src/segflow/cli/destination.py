"""`segflow destination add|list|remove|default`: the Segment accounts messages go to."""

from typing import Annotated

import typer
from rich.table import Table

from segflow.cli.app import app
from segflow.cli.context import console, open_segflow

destination = typer.Typer(help="Segment accounts (sources) that receive messages.")
app.add_typer(destination, name="destination")


@destination.command()
def add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="A name for this account, e.g. 'production'.")],
    write_key: Annotated[
        str,
        typer.Option(
            "--write-key",
            prompt="Write Key (Segment dashboard: Sources, select the source, API Keys)",
            hide_input=True,
            help="The source's Write Key; asked for when omitted, so it stays out of history.",
        ),
    ],
    endpoint: Annotated[
        str, typer.Option(help="'us' (default), 'eu', or a Segment-compatible base URL.")
    ] = "us",
    default: Annotated[bool, typer.Option("--default", help="Send here by default.")] = False,
) -> None:
    """Add a Segment account; its Write Key is stored encrypted."""
    with open_segflow(ctx) as segflow:
        added = segflow.destinations.add(name, write_key, endpoint, default=default)
    console.print(
        f"Added destination {added.name} ({added.region}: {added.endpoint}, "
        f"Write Key {added.masked_write_key})" + (", the default" if added.is_default else "")
    )


@destination.command("list")
def list_destinations(ctx: typer.Context) -> None:
    """List the Segment accounts."""
    with open_segflow(ctx) as segflow:
        rows = segflow.destinations.list()
    table = Table("Name", "Region", "Endpoint", "Write Key", "Default")
    for row in rows:
        table.add_row(
            row.name,
            row.region,
            row.endpoint,
            row.masked_write_key,
            "yes" if row.is_default else "",
        )
    if rows:
        console.print(table)
    else:
        console.print("No destinations yet: messages go to the built-in local collector.")


@destination.command()
def remove(
    ctx: typer.Context, name: Annotated[str, typer.Argument(help="The account's name.")]
) -> None:
    """Remove a Segment account (refused while messages wait for it)."""
    with open_segflow(ctx) as segflow:
        segflow.destinations.remove(name)
    console.print(f"Removed destination {name}")


@destination.command("default")
def make_default(
    ctx: typer.Context, name: Annotated[str, typer.Argument(help="The account's name.")]
) -> None:
    """Make a Segment account the default one."""
    with open_segflow(ctx) as segflow:
        segflow.destinations.set_default(name)
    console.print(f"{name} is now the default destination")
