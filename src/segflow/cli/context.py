"""Opening segflow once per command, with the settings the root command was given."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

import typer
from rich.console import Console
from rich.logging import RichHandler

from segflow.service import Segflow
from segflow.settings import Settings

console = Console(highlight=False, soft_wrap=True)


def settings(ctx: typer.Context) -> Settings:
    root = ctx.find_root()
    if not isinstance(root.obj, Settings):
        root.obj = Settings()
    return root.obj


@contextmanager
def open_segflow(ctx: typer.Context) -> Iterator[Segflow]:
    segflow = Segflow.open(settings(ctx))
    try:
        yield segflow
    finally:
        segflow.close()


def configure_logging(verbose: bool) -> None:
    logging.basicConfig(
        level=logging.INFO,
        format="%(message)s",
        handlers=[RichHandler(console=Console(stderr=True), show_path=False)],
    )
    # --verbose shows segflow's own details (every batch), not every library's debug log.
    logging.getLogger("segflow").setLevel(logging.DEBUG if verbose else logging.INFO)
    # httpx logs every request at INFO; keep that for --verbose.
    logging.getLogger("httpx").setLevel(logging.INFO if verbose else logging.WARNING)
    # Alembic tells of every migration it runs at INFO; keep that for --verbose too.
    logging.getLogger("alembic").setLevel(logging.INFO if verbose else logging.WARNING)
