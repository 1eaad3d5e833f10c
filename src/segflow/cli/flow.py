"""`segflow validate FLOW` and `segflow schema`: check flow files, publish their schema."""

import sys
from pathlib import Path
from typing import Annotated

import orjson
import typer

from segflow.cli.app import app
from segflow.cli.context import console, open_segflow
from segflow.flow import FlowError, flow_json_schema, flow_warnings, load_flow

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
    every warning (exit status 0 when warnings are all there is)."""
    accounts = None
    if check_destinations:
        with open_segflow(ctx) as segflow:
            accounts = [destination.name for destination in segflow.destinations.list()]
    try:
        flow = load_flow(flow_file, destinations=accounts)
    except FlowError as error:
        console.print(f"[red]✗[/red] {error}", soft_wrap=True)
        raise typer.Exit(1) from None
    for warning in flow_warnings(flow):
        console.print(f"[yellow]⚠[/yellow] Warning: {warning}", soft_wrap=True)
    blocks = sum(len(group.blocks) for group in flow.groups)
    console.print(
        f'[green]✓[/green] {flow_file}: "{flow.name}" is valid '
        f"({len(flow.groups)} groups, {blocks} blocks, {len(flow.variables)} variables)"
    )


@app.command()
def schema() -> None:
    """Print the JSON Schema of flow documents (for editors and other tools)."""
    sys.stdout.write(orjson.dumps(flow_json_schema(), option=orjson.OPT_INDENT_2).decode() + "\n")
