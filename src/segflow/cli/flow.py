"""`segflow validate FLOW` and `segflow schema`: check flow files, publish their schema."""

import sys
from pathlib import Path
from typing import Annotated

import orjson
import typer

from segflow.cli.app import app
from segflow.cli.context import console, open_segflow
from segflow.flow import (
    DocumentError,
    FlowError,
    check_flow_document,
    flow_json_schema,
    read_document,
)

FlowFile = Annotated[
    Path, typer.Argument(help="A flow file: .yaml, .yml or .json.", show_default=False)
]


@app.command()
def validate(
    ctx: typer.Context,
    flow_file: FlowFile,
    check_destinations: Annotated[
        bool,
        typer.Option(
            "--check-destinations",
            help="Also check that the Segment accounts it names exist in segflow's database.",
        ),
    ] = False,
) -> None:
    """Check a flow file and list every problem with its place (exit status 1 if any), and
    every warning (exit status 0 when warnings are all there is): the same problems, in the
    same words, as publishing it and the Flow Editor show."""
    accounts = None
    if check_destinations:
        with open_segflow(ctx) as segflow:
            accounts = [destination.name for destination in segflow.destinations.list()]
    try:
        document = read_document(flow_file)
        checked = check_flow_document(document, destinations=accounts, source=str(flow_file))
    except DocumentError as error:
        console.print(f"[red]✗[/red] {error}", soft_wrap=True)
        raise typer.Exit(1) from None
    if checked.errors:
        refused = FlowError(checked.errors, source=str(flow_file))
        console.print(f"[red]✗[/red] {refused}", soft_wrap=True)
    for warning in checked.warnings:
        console.print(f"[yellow]⚠[/yellow] Warning: {warning}", soft_wrap=True)
    flow = checked.flow
    if flow is None:
        raise typer.Exit(1)
    blocks = sum(len(group.blocks) for group in flow.groups)
    console.print(
        f'[green]✓[/green] {flow_file}: "{flow.name}" is valid '
        f"({len(flow.groups)} groups, {blocks} blocks, {len(flow.variables)} variables)"
    )


@app.command()
def schema() -> None:
    """Print the JSON Schema of flow documents (for editors and other tools)."""
    sys.stdout.write(orjson.dumps(flow_json_schema(), option=orjson.OPT_INDENT_2).decode() + "\n")
