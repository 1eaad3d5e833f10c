"""The root Typer application; each command family lives in its own module and registers here."""

import sys
from typing import Annotated

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.markup import escape

from segflow import __version__
from segflow.errors import SegflowError, SettingsError
from segflow.settings import Settings

try:  # typer 0.23 and later carry their own copy of click
    from typer._click.exceptions import ClickException, NoArgsIsHelpError, UsageError
except ImportError:  # pragma: no cover
    from click.exceptions import (  # type: ignore[assignment]
        ClickException,
        NoArgsIsHelpError,
        UsageError,
    )

app = typer.Typer(
    name="segflow",
    help="Send product analytics from chatbot conversations to Twilio Segment.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
errors = Console(stderr=True)


def _print_version(asked: bool) -> None:
    if asked:
        print(f"segflow {__version__}")
        raise typer.Exit()


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
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_print_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """Send product analytics from chatbot conversations to Twilio Segment."""
    try:
        ctx.obj = Settings(database_url=database_url) if database_url else Settings()
    except ValidationError as error:
        problem = error.errors()[0]
        name = "SEGFLOW_" + "_".join(str(part) for part in problem["loc"]).upper()
        raise SettingsError(f"{name}: {problem['msg'].removeprefix('Value error, ')}") from None
    home = ctx.obj.home
    if home.exists() and not home.is_dir():
        raise SettingsError(
            f"SEGFLOW_HOME is {home}, a file: segflow keeps its database and keys in a "
            "folder; point SEGFLOW_HOME at a folder (it is created if missing)"
        )


def _register_commands() -> None:
    # Imported for their side effect of adding commands to `app`.
    import segflow.cli.commands  # noqa: F401


def run() -> None:
    """Runs the command line; every mistake it can name is one line on stderr and exit status
    1 (2 for a command line it cannot read), never a traceback."""
    _register_commands()
    try:
        status = app(standalone_mode=False)
    except NoArgsIsHelpError as error:
        error.ctx.get_help() if error.ctx is not None else None  # prints the help itself
        sys.exit(2)
    except UsageError as error:
        command = error.ctx.command_path if error.ctx is not None else "segflow"
        _fail(f"{error.format_message()} (see {command} --help)", error.exit_code)
    except ClickException as error:
        _fail(error.format_message(), error.exit_code)
    except typer.Abort:
        _fail("Stopped.", 130)
    except SegflowError as error:
        _fail(str(error), 1)
    sys.exit(status if isinstance(status, int) else 0)


def _fail(message: str, status: int) -> None:
    errors.print(f"[red]Error:[/red] {escape(message)}", highlight=False, soft_wrap=True)
    sys.exit(status)
