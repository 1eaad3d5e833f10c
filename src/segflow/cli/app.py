"""The root Typer application; each command family lives in its own module and registers here."""

from __future__ import annotations

import sys

import typer
from rich.console import Console

from segflow.errors import SegflowError

app = typer.Typer(
    name="segflow",
    help="Send product analytics from chatbot conversations to Twilio Segment.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
errors = Console(stderr=True)


def _register_commands() -> None:
    # Imported for their side effect of adding commands to `app`.
    import segflow.cli.commands  # noqa: F401


def run() -> None:
    _register_commands()
    try:
        app()
    except SegflowError as error:
        errors.print(f"[red]Error:[/red] {error}", highlight=False)
        sys.exit(1)
