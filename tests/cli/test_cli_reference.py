"""docs/cli.md, the command-line reference, says what the commands accept today."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import typer

from segflow.cli.app import _register_commands, app

_register_commands()

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "cli_reference.py"
REFERENCE = ROOT / "docs" / "cli.md"


def regenerate(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args],
        # A narrow terminal: the page must not depend on the width of whoever regenerates it.
        env={**os.environ, "PYTHONPATH": str(ROOT / "src"), "COLUMNS": "40"},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_docs_cli_md_is_what_the_commands_say() -> None:
    checked = regenerate("--check")
    assert checked.returncode == 0, f"{checked.stderr.strip()}, and commit it"


def test_every_command_has_its_section_with_each_of_its_options() -> None:
    reference = REFERENCE.read_text(encoding="utf-8")
    sections = dict(re.findall(r"^## `(segflow[^`]*)`\n(.*?)(?=^## |\Z)", reference, re.M | re.S))
    root = typer.main.get_command(app)
    commands = [("segflow", root)]
    for path, command in commands:  # grows as subcommands are found
        assert path in sections, f"docs/cli.md has no section for `{path}`"
        for parameter in command.params:
            if parameter.name != "help" and not getattr(parameter, "hidden", False):
                for name in parameter.opts:
                    assert name in sections[path], f"`{path}`: {name} is not in docs/cli.md"
        subcommands = getattr(command, "commands", {})
        commands += [(f"{path} {name}", sub) for name, sub in subcommands.items()]
    assert len(commands) == len(sections)
    assert "| `--lease <float>` | Seconds a claimed batch is reserved for this sender." in reference
    assert "[default: (60, from SEGFLOW_DELIVERY_LEASE_SECONDS)]" in sections["segflow deliver"]
    assert "[env var: SEGFLOW_DATABASE_URL]" in sections["segflow"]


def test_an_outdated_reference_is_named_with_the_command_that_fixes_it(tmp_path: Path) -> None:
    stale = tmp_path / "cli.md"
    stale.write_text(REFERENCE.read_text(encoding="utf-8").replace("--lease", "--leash"))
    checked = regenerate("--check", "--output", str(stale))
    assert checked.returncode == 1
    assert checked.stderr.strip() == (
        f"{stale} is out of date with the commands: run `python scripts/cli_reference.py`"
    )
    assert regenerate("--output", str(stale)).returncode == 0
    assert stale.read_text(encoding="utf-8") == REFERENCE.read_text(encoding="utf-8")
