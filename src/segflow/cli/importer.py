"""`segflow import typebot FILE... [-o OUT]`: chatbots built with another tool, as segflow flows."""

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
from segflow.importers import Finding, FindingKind, TypebotImport, import_typebot, typebot_ids

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
    files: Annotated[
        list[Path],
        typer.Argument(
            help="The bots exported from Typebot (Export as JSON), versions 3 to 6.1. Give "
            "together the bots that link to each other.",
            show_default=False,
        ),
    ],
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="Write the flow here: YAML for .yaml/.yml, else JSON. Default: print JSON. "
            "With several bots, a folder: each flow is written there as JSON, named like its "
            "export.",
        ),
    ] = None,
) -> None:
    """Import Typebot exports and list what did not carry over as it was."""
    report = errors if output is None else console  # without a file, stdout holds the flow
    try:
        targets = _targets(files, output)
        documents = [read_document(file, syntax="json") for file in files]
        imported_with = {bot for document in documents for bot in typebot_ids(document)}
        # Every bot is imported before any flow is written: one that fails writes nothing.
        results = [import_typebot(document, imported_with=imported_with) for document in documents]
        for result, target in zip(results, targets, strict=True):
            _write_flow(result.flow, target)
    except SegflowError as error:
        # One line however long the path: the root handler would wrap it at the terminal width.
        errors.print(f"Error: {error}", markup=False, highlight=False, soft_wrap=True)
        raise typer.Exit(1) from None
    for result, target in zip(results, targets, strict=True):
        _print_result(report, result, target)


def _targets(files: list[Path], output: Path | None) -> list[Path | None]:
    """Where each flow is written: `output` for one bot, a file in the folder `output` for
    several; None: printed."""
    targets = [output] if len(files) == 1 else _files_in_folder(files, output)
    exports = {file.resolve() for file in files}
    for target in targets:
        if target is not None and target.resolve() in exports:
            raise SegflowError(f"Refusing to write the flow over the Typebot export {target}")
    return targets


def _files_in_folder(files: list[Path], output: Path | None) -> list[Path | None]:
    if output is None:
        raise SegflowError("Give --output a folder to import several bots: each flow goes there")
    if output.exists() and not output.is_dir():
        raise SegflowError(f"{output} is a file: with several bots, --output names a folder")
    targets: list[Path | None] = [output / f"{file.stem}.json" for file in files]
    if len(set(targets)) < len(targets):
        raise SegflowError(
            "Two exports have the same file name: rename one, as each flow is written under "
            "its export's name"
        )
    try:
        output.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise SegflowError(f"Cannot make the folder {output}: {error.strerror or error}") from None
    return targets


def _write_flow(flow: dict[str, Any], output: Path | None) -> None:
    if output is None:
        sys.stdout.write(_as_json(flow))
    else:
        _write(flow, output)


def _print_result(report: Console, result: TypebotImport, output: Path | None) -> None:
    flow = result.flow
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
