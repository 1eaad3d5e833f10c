"""`segflow import typebot FILE [-o OUT]`: a chatbot built with another tool, as a segflow flow."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import orjson
import typer
from rich.console import Console

from segflow.cli.app import app, errors
from segflow.cli.context import console
from segflow.errors import SegflowError
from segflow.flow import read_document
from segflow.importers import Finding, FindingKind, TypebotImport, import_typebot

importer = typer.Typer(help="Import chatbots built with other tools as segflow flows.")
app.add_typer(importer, name="import")

_YAML_SUFFIXES = {".yaml", ".yml"}
_HEADINGS = {
    FindingKind.SETUP: "Needs setup in segflow",
    FindingKind.CHANGED: "Imported with changes",
    FindingKind.UNSUPPORTED: "Not imported",
}


@importer.command()
def typebot(
    file: Annotated[
        Path,
        typer.Argument(help="The bot exported from Typebot (Export as JSON), versions 3 to 6.1."),
    ],
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="Write the flow here: YAML for .yaml/.yml, else JSON. Default: print JSON.",
        ),
    ] = None,
) -> None:
    """Import a Typebot export and list what did not carry over as it was."""
    try:
        result = _import_typebot(file, output)
    except SegflowError as error:
        # One line however long the path: the root handler would wrap it at the terminal width.
        errors.print(f"Error: {error}", markup=False, highlight=False, soft_wrap=True)
        raise typer.Exit(1) from None
    flow = result.flow
    report = errors if output is None else console  # without a file, stdout holds the flow
    blocks = sum(len(group["blocks"]) for group in flow["groups"])
    where = f" into {output}" if output is not None else ""
    report.print(
        f'Imported "{flow["name"]}"{where}: {len(flow["groups"])} groups, {blocks} blocks, '
        f"{len(flow['variables'])} variables.",
        markup=False,
        highlight=False,
        soft_wrap=True,
    )
    _print_report(report, result.report)


def _import_typebot(file: Path, output: Path | None) -> TypebotImport:
    if output is not None and output.resolve() == file.resolve():
        raise SegflowError(f"Refusing to write the flow over the Typebot export {file}")
    result = import_typebot(read_document(file, syntax="json"))
    if output is None:
        sys.stdout.write(_as_json(result.flow))
    else:
        _write(result.flow, output)
    return result


def _write(flow: dict[str, Any], output: Path) -> None:
    text = _as_json(flow)
    if output.suffix.lower() in _YAML_SUFFIXES:
        try:
            import yaml
        except ImportError:  # JSON is valid YAML, so the file still reads as YAML
            errors.print("PyYAML is not installed: the flow is written as JSON, which is also YAML")
        else:
            text = yaml.safe_dump(flow, sort_keys=False, allow_unicode=True, width=100)
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as error:
        raise SegflowError(f"Cannot write {output}: {error.strerror or error}") from None


def _as_json(flow: dict[str, Any]) -> str:
    return orjson.dumps(flow, option=orjson.OPT_INDENT_2).decode() + "\n"


def _print_report(report: Console, findings: list[Finding]) -> None:
    if not findings:
        report.print("Everything was imported as it was.")
        return
    for kind, heading in _HEADINGS.items():
        of_kind = [finding for finding in findings if finding.kind is kind]
        if of_kind:
            report.print(f"\n{heading} ({len(of_kind)}):", style="bold", markup=False)
            for finding in of_kind:
                report.print(f"  - {finding}", markup=False, highlight=False, soft_wrap=True)
