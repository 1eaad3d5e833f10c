"""`segflow prune`: delete once what is past its keeping time, e.g. from cron."""

from typing import Annotated

import typer

from segflow.cli.app import app
from segflow.cli.context import configure_logging, console, open_segflow
from segflow.retention import retention_of


@app.command()
def prune(
    ctx: typer.Context,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log every deletion.")] = False,
) -> None:
    """Delete what is past its keeping time, once: delivered messages
    (SEGFLOW_KEEP_DELIVERED_DAYS), chats with their transcripts (SEGFLOW_KEEP_RESULTS_DAYS) and
    the built-in collector's events (SEGFLOW_COLLECTOR_KEEP_DAYS); 0 keeps them forever.

    `segflow deliver` and `serve` already do this in the background; this is for a database
    no sender runs on all the time. Queued messages and dead letters are never deleted."""
    configure_logging(verbose)
    with open_segflow(ctx) as segflow:
        retention = retention_of(segflow)
        deleted = retention.prune()
    if not retention.kept:
        console.print("Nothing deleted: every keeping time is 0 (kept forever).")
        return
    console.print(
        "Deleted "
        + ", ".join(
            f"{deleted.get(kind.what, 0):,} {kind.what} older than {kind.days:g} day(s)"
            for kind in retention.kept
        )
    )
