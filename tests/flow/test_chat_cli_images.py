"""`segflow chat` shows an image as a person can read it: its label survives the terminal's
markup."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

import segflow.cli.commands  # noqa: F401  (registers every command)
from segflow.cli.app import app


def test_an_image_keeps_its_label_in_the_terminal(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "200")  # no wrapped lines
    flow = tmp_path / "gallery.yaml"
    flow.write_text(
        """
name: Gallery
groups:
  - id: show
    blocks:
      - id: cat
        type: image
        url: https://example.com/cat.png
        alt: A sleeping cat
"""
    )

    result = CliRunner().invoke(app, ["chat", str(flow)])

    assert result.exit_code == 0, result.output
    lines = [line.strip() for line in result.stdout.splitlines()]
    assert "Bot › [image: A sleeping cat] https://example.com/cat.png" in lines
