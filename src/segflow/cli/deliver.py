"""`segflow deliver`: run a sender that drains the outbox to Segment."""

import contextlib
import threading
import time
from dataclasses import replace
from typing import Annotated, Any

import typer
from rich.live import Live

from segflow.cli.app import app
from segflow.cli.context import configure_logging, console, open_segflow
from segflow.cli.stop_signals import StopSignals
from segflow.delivery import Sender
from segflow.delivery.sender import DeliveryReport
from segflow.destinations.secrets import describe_undecryptable
from segflow.errors import SegflowError
from segflow.retention import Retention, retention_of
from segflow.service import Segflow


def _progress_line(report: DeliveryReport, queued: int | None = None) -> str:
    line = f"Delivered {report.delivered:,}, dead-lettered {report.dead:,}"
    if report.failed_attempts:
        line += f", failed attempts {report.failed_attempts:,}"
    if queued is not None:
        line += f", still queued {queued:,}"
    return line


def _run_with_progress(
    segflow: Segflow,
    sender: Sender,
    *,
    until_empty: bool,
    shutdown_deadline: float,
    announce: str | None = None,
    time_limit: float | None = None,
    retention: Retention | None = None,
) -> DeliveryReport:
    """Runs the sender on a thread of its own, showing its progress; the main thread watches
    for Ctrl+C and SIGTERM (see StopSignals) and asks the sender to stop, as it does once
    `time_limit` seconds have passed (then raising SegflowError, once the sender stopped).
    With `until_empty`, once drained it lets `retention` finish its pass, unless stopped."""
    reports: list[DeliveryReport] = []
    sending = threading.Thread(
        target=lambda: reports.append(
            sender.run(until_empty=until_empty, shutdown_deadline=shutdown_deadline)
        ),
        name="segflow-sender",
    )
    signals = StopSignals() if threading.current_thread() is threading.main_thread() else None
    ends = None if time_limit is None else time.monotonic() + time_limit
    timed_out = False
    with contextlib.ExitStack() as stack:
        if signals is not None:
            stack.enter_context(signals)
        if announce is not None:
            console.print(announce)
        # Live redraws one line in a terminal; into a pipe or file only the final line goes.
        live = None
        if console.is_terminal:
            live = stack.enter_context(
                Live(_progress_line(sender.report), console=console, transient=True)
            )
        sending.start()
        stopping = False
        while sending.is_alive():
            if signals is not None and signals.requested and not stopping:
                stopping = True
                console.print(
                    f"Stopping: finishing batches in flight (at most {shutdown_deadline:g} s)…"
                )
                sender.stop()
            if ends is not None and time.monotonic() >= ends and not stopping:
                stopping = timed_out = True
                sender.stop()
            if live is not None:
                live.update(_progress_line(sender.report))
            sending.join(0.1)
        if retention is not None and until_empty and not stopping:
            retention.finish()
            while not retention.join(0.1):
                if signals is not None and signals.requested:
                    retention.stop()
                if ends is not None and time.monotonic() >= ends:
                    retention.stop()
    if not reports:
        raise SegflowError("The sender stopped on an error (see above)")
    queued = segflow.outbox.pending()
    console.print(_progress_line(reports[0], queued))
    if until_empty and (undecryptable := sender.undecryptable):
        names = sorted(error.destination for error in undecryptable)
        problem = describe_undecryptable(names, segflow.destinations.secret_key_source)
        whose = "Its" if len(names) == 1 else "Their"
        raise SegflowError(f"{problem}. {whose} messages stay queued")
    if timed_out and queued:
        raise SegflowError(
            f"--time-limit {time_limit:g} s ran out with {queued:,} message(s) still queued; "
            "they stay queued for the next `segflow deliver`"
        )
    return reports[0]


def deliver_until_empty(segflow: Segflow, time_limit: float | None = None) -> None:
    report = _run_with_progress(
        segflow,
        segflow.sender(),
        until_empty=True,
        shutdown_deadline=10.0,
        time_limit=time_limit,
    )
    if report.dead:
        console.print("Some messages were dead-lettered: see `segflow outbox dead`.")


def time_limit_option(what: str) -> Any:
    return typer.Option(
        "--time-limit",
        min=0,
        help=f"With {what}: stop after this many seconds (exit status 1 if messages are "
        "still queued; they stay queued).",
    )


@app.command()
def deliver(
    ctx: typer.Context,
    until_empty: Annotated[
        bool,
        typer.Option(
            "--until-empty", help="Exit once every message is delivered or dead-lettered."
        ),
    ] = False,
    lease: Annotated[
        float | None,
        typer.Option(
            help="Seconds a claimed batch is reserved for this sender.",
            show_default="60, from SEGFLOW_DELIVERY_LEASE_SECONDS",
        ),
    ] = None,
    timeout: Annotated[float, typer.Option(help="HTTP timeout per request, in seconds.")] = 15.0,
    max_attempts: Annotated[
        int, typer.Option(help="Failed attempts before a message is dead-lettered.")
    ] = 25,
    shutdown_deadline: Annotated[
        float, typer.Option(help="On Ctrl+C or SIGTERM, seconds to finish batches in flight.")
    ] = 10.0,
    time_limit: Annotated[float | None, time_limit_option("--until-empty")] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log every batch.")] = False,
) -> None:
    """Run a sender: deliver queued messages to their destinations, retrying failures.

    It also deletes, in the background, what is past its keeping time: delivered messages
    (SEGFLOW_KEEP_DELIVERED_DAYS), chats (SEGFLOW_KEEP_RESULTS_DAYS) and the built-in
    collector's events (SEGFLOW_COLLECTOR_KEEP_DAYS); with --until-empty it finishes that
    pass before exiting."""
    configure_logging(verbose)
    if time_limit is not None and not until_empty:
        raise SegflowError("--time-limit applies to --until-empty only")
    with open_segflow(ctx) as segflow:
        options = segflow.sender_options(lease=lease, timeout=timeout)
        sender = segflow.sender(replace(options, max_attempts=max_attempts))
        retention = retention_of(segflow)
        retention.start()
        try:
            _run_with_progress(
                segflow,
                sender,
                until_empty=until_empty,
                shutdown_deadline=shutdown_deadline,
                announce=None
                if until_empty
                else "segflow deliver is sending. Press Ctrl+C to stop.",
                time_limit=time_limit,
                retention=retention,
            )
        finally:
            retention.stop()
            retention.join()
