"""The root Typer application; each command family lives in its own module and registers here."""

import sys
from typing import Annotated

import typer
from rich.console import Console

from segflow.errors import SegflowError
from segflow.settings import Settings

app = typer.Typer(
    name="segflow",
    help="Send product analytics from chatbot conversations to Twilio Segment.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
errors = Console(stderr=True)


@app.callback()
def root(
    ctx: typer.Context,
    database_url: Annotated[
        str | None,
        typer.Option(
            "--database-url",
            envvar="SEGFLOW_DATABASE_URL",
            help="Application database (default: SQLite in segflow's home folder).",
        ),
    ] = None,
) -> None:
    """Send product analytics from chatbot conversations to Twilio Segment."""
    ctx.obj = Settings(database_url=database_url) if database_url else Settings()


def _register_commands() -> None:
    # Imported for their side effect of adding commands to `app`.
    import segflow.cli.commands  # noqa: F401


def run() -> None:
    _register_commands()
    try:
        app()
    except SegflowError as error:
        errors.print(f"[red]Error:[/red] {error}", highlight=False, soft_wrap=True)
        sys.exit(1)
