"""Writes docs/cli.md, the reference of every segflow command, from the commands themselves.

    python scripts/cli_reference.py           # writes docs/cli.md
    python scripts/cli_reference.py --check   # exit status 1 when docs/cli.md is out of date

Each command's help, arguments and options (with their defaults, ranges and environment
variables) come from the Typer app, as `--help` prints them, so the page cannot drift from
what the commands accept. It documents the segflow of the tree it lives in (`src/`).
"""

from __future__ import annotations

import argparse
import inspect
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT / "docs" / "cli.md"
REGENERATE = "python scripts/cli_reference.py"


def render() -> str:
    """docs/cli.md as the commands of this tree describe themselves."""
    sys.path.insert(0, str(ROOT / "src"))
    import typer

    from segflow.cli.app import _register_commands, app

    _register_commands()
    root = typer.main.get_command(app)
    commands = list(_walk(root, root.make_context("segflow", [], resilient_parsing=True)))
    lines = [
        "# segflow command-line reference",
        "",
        f"Generated from the commands by `{REGENERATE}`; do not edit it by hand.",
        "Every command prints the same with `--help`, and takes `--help` itself.",
        "",
    ]
    lines += [f"- [`{_path(context)}`](#{_anchor(context)})" for _command, context in commands]
    for command, context in commands:
        lines += ["", f"## `{_path(context)}`", ""]
        lines += [_paragraphs(command.help or ""), ""]
        usage = " ".join([_path(context), *command.collect_usage_pieces(context)])
        lines += ["```", usage, "```"]  # not get_usage(): it wraps to the terminal's width
        rows = [
            record
            for parameter in command.get_params(context)
            if not parameter.hidden and parameter.name != "help"
            if (record := parameter.get_help_record(context)) is not None
        ]
        if rows:
            lines += ["", "| argument or option | what it is |", "| --- | --- |"]
            lines += [f"| {_code_cell(names)} | {_cell(help_text)} |" for names, help_text in rows]
        subcommands = getattr(command, "commands", {})
        if subcommands:
            lines += ["", "Commands:", ""]
            lines += [
                f"- [`{name}`](#{_anchor(context)}-{name}): "
                f"{_cell(sub.get_short_help_str(limit=1000))}"
                for name in command.list_commands(context)
                if not (sub := subcommands[name]).hidden
            ]
    return "\n".join(lines) + "\n"


def _walk(command: Any, context: Any) -> Iterator[tuple[Any, Any]]:
    """Each command with its context, the root first, subcommands in the order they were added."""
    yield command, context
    for name in getattr(command, "list_commands", lambda _context: [])(context):
        sub = command.get_command(context, name)
        if sub is not None and not sub.hidden:
            own = sub.make_context(name, [], parent=context, resilient_parsing=True)
            yield from _walk(sub, own)


def _path(context: Any) -> str:
    return str(context.command_path)


def _anchor(context: Any) -> str:
    return _path(context).replace(" ", "-")


def _paragraphs(text: str) -> str:
    """A docstring as Markdown paragraphs: its line breaks within a paragraph joined."""
    paragraphs = inspect.cleandoc(text).replace("\b\n", "").split("\n\n")
    return "\n\n".join(" ".join(part.split()) for part in paragraphs)


def _cell(text: str) -> str:
    """Help text safe in a Markdown table cell, shown as written."""
    return " ".join(text.split()).replace("\\", "\\\\").replace("|", "\\|").replace("<", "&lt;")


def _code_cell(text: str) -> str:
    """Names and metavars as code in a table cell; a table needs `|` escaped even in code."""
    return "`" + text.replace("|", "\\|") + "`"


def main() -> None:
    parser = argparse.ArgumentParser(description="Writes docs/cli.md from the segflow commands.")
    parser.add_argument("--check", action="store_true", help="only check that it is up to date")
    parser.add_argument("--output", type=Path, default=REFERENCE, help="default: docs/cli.md")
    options = parser.parse_args()
    output: Path = options.output.resolve()
    shown = output.relative_to(ROOT) if output.is_relative_to(ROOT) else output
    written = render()
    if options.check:
        if not output.exists() or output.read_text(encoding="utf-8") != written:
            sys.exit(f"{shown} is out of date with the commands: run `{REGENERATE}`")
        return
    output.write_text(written, encoding="utf-8")
    print(f"Wrote {shown}")


if __name__ == "__main__":
    main()
