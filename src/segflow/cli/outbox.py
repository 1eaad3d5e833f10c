"""`segflow outbox status|dead|retry|purge`: what waits, what failed, and tidying up."""

import sys
from datetime import datetime
from typing import Annotated

import typer
from rich.table import Table

from segflow.cli.app import app
from segflow.cli.context import console, open_segflow
from segflow.delivery.outbox import DEAD, DELIVERED, QUEUED
from segflow.destinations.secrets import describe_undecryptable
from segflow.errors import SegflowError
from segflow.service import Segflow

outbox = typer.Typer(help="Messages waiting for delivery, delivered, or dead-lettered.")
app.add_typer(outbox, name="outbox")

DestinationName = Annotated[
    str | None, typer.Option("--destination", "-d", help="Only this account.")
]


def _when(timestamp: float | None) -> str:
    return datetime.fromtimestamp(timestamp).strftime("%Y-%m-%d %H:%M:%S") if timestamp else ""


@outbox.command()
def status(ctx: typer.Context) -> None:
    """Messages per destination: queued, retrying, in flight, delivered, dead-lettered.

    In flight are queued messages a sender has claimed, shown with the end of its lease
    (SEGFLOW_DELIVERY_LEASE_SECONDS, or `--lease` on deliver and serve): if that sender
    stopped on another machine, they are sent again then. A sender that stopped on this
    machine is noticed at once."""
    with open_segflow(ctx) as segflow:
        counts = segflow.outbox.counts()
        undecryptable = segflow.destinations.undecryptable()
        source = segflow.destinations.secret_key_source
    table = Table(
        "Destination",
        "Queued",
        "Retrying",
        "In flight",
        "Delivered",
        "Dead",
        "Next try",
        "Last error",
    )
    for row in counts:
        table.add_row(
            row.destination,
            f"{row.queued:,}",
            f"{row.retrying:,}",
            f"{row.in_flight:,} until {_when(row.lease_until)}" if row.in_flight else "0",
            f"{row.delivered:,}",
            f"{row.dead:,}",
            _when(row.retry_at),
            row.last_error or "",
        )
    console.print(table if counts else "The outbox is empty.")
    if undecryptable:
        console.print(describe_undecryptable(undecryptable, source))
    kept = segflow.settings.keep_delivered_days
    console.print(
        f"Senders' lease {segflow.settings.delivery_lease_seconds:g} s "
        "(SEGFLOW_DELIVERY_LEASE_SECONDS, or their --lease); delivered messages are kept "
        + (f"{kept:g} day(s)" if kept else "forever")
        + " (SEGFLOW_KEEP_DELIVERED_DAYS)."
    )


@outbox.command()
def dead(
    ctx: typer.Context,
    destination: DestinationName = None,
    limit: Annotated[int, typer.Option(help="At most this many.")] = 100,
) -> None:
    """Dead-lettered messages and why each was refused."""
    with open_segflow(ctx) as segflow:
        chosen = segflow.destinations.get(destination).id if destination else None
        letters = segflow.outbox.dead_letters(chosen, limit)
    table = Table("When", "Destination", "Type", "Message ID", "Reason")
    for letter in letters:
        table.add_row(
            _when(letter["finished_at"]),
            letter["destination"],
            letter["type"],
            letter["message_id"],
            letter["last_error"] or "",
        )
    console.print(table if letters else "No dead letters.")


@outbox.command()
def retry(ctx: typer.Context, destination: DestinationName = None) -> None:
    """Queue dead-lettered messages again (after fixing what refused them).

    The destinations whose messages are queued again are tried at once; the others keep
    waiting as they were told to."""
    with open_segflow(ctx) as segflow:
        chosen = segflow.destinations.get(destination).id if destination else None
        count = segflow.outbox.retry_dead(chosen)
    console.print(f"Queued {count:,} dead-lettered message(s) again")


@outbox.command()
def purge(
    ctx: typer.Context,
    destination: DestinationName = None,
    dead_letters: Annotated[
        bool, typer.Option("--dead", help="Also delete dead-lettered messages.")
    ] = False,
    queued: Annotated[
        bool,
        typer.Option("--queued", help="Also delete messages not yet delivered (asks first)."),
    ] = False,
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask before deleting.")] = False,
) -> None:
    """Delete delivered messages (and, when asked, dead or queued ones)."""
    states = [DELIVERED] + ([DEAD] if dead_letters else []) + ([QUEUED] if queued else [])
    with open_segflow(ctx) as segflow:
        chosen = segflow.destinations.get(destination).id if destination else None
        if queued and not yes:
            _confirm_undelivered(segflow, chosen, destination, dead_letters)
        count = segflow.outbox.purge(states, chosen)
    console.print(f"Deleted {count:,} message(s) ({', '.join(states)})")


def _confirm_undelivered(
    segflow: Segflow, destination_id: int | None, destination: str | None, dead_letters: bool
) -> None:
    """Asks before undelivered messages are deleted; refuses at once when no one can answer."""
    waiting = [
        counts
        for found_id, counts in segflow.outbox.undelivered().items()
        if destination_id in (None, found_id)
    ]
    count = sum(c.queued for c in waiting) + (sum(c.dead for c in waiting) if dead_letters else 0)
    if not count:
        return
    of = f" of {destination}" if destination else ""
    what = f"{count:,} undelivered message(s){of}"
    if not sys.stdin.isatty():
        raise SegflowError(
            f"segflow outbox purge --queued would delete {what} for good; add --yes to delete "
            "them without being asked"
        )
    if not typer.confirm(f"Delete {what} for good? They will never reach Segment."):
        raise SegflowError(f"Nothing deleted: {what} stay queued")
