"""Imported Typebot bots, chatted through as users do: in the terminal (`segflow import typebot`
then `segflow chat`) and over the HTTP API (`segflow serve --flow`), and measured by
bench/typebot_exports.py."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import segflow.cli.commands  # noqa: F401  (registers every command)
from segflow.chat import Chats
from segflow.cli.app import app
from segflow.service import Segflow
from segflow.settings import Settings
from tests.importers.helpers import FIXTURES, SAMPLES, needs_samples, post
from tests.serve_process import ServeProcess

ROOT = Path(__file__).resolve().parents[2]
EXPORTS = ROOT / "bench" / "typebot"
MEASURE = ROOT / "bench" / "typebot_exports.py"
TRANSCRIPT_EXPORTS = Path(__file__).with_name("transcripts")


@dataclass(frozen=True)
class Transcript:
    """A chat with one export: the answers given, what the bot said, the variables at the end."""

    export: str
    answers: list[str]
    said: list[str]
    variables: dict[str, Any]

    @property
    def flow_id(self) -> str:
        return self.export.split(".")[0]


PIZZA_NIGHT = Transcript(
    "pizza-night.v6.json",
    ["7", "nope", "ada@example.com"],
    [
        "Pizza night! How many pizzas?",
        "That is a party: 77 euros.",  # 7 is greater than 5
        "Where should the receipt go?",
        "That address looks wrong, try again.",
        "Receipt on its way to ada@example.com.",
    ],
    {"Count": 7, "Total": 77, "Email": "ada@example.com"},
)
HELP_DESK = Transcript(
    "help-desk.v6.json",
    ["i-hours", "i-hours", "i-human", "Grace"],  # the menu comes back after the hours
    [
        "What do you need?",
        "We answer from 9 to 17.",
        "What do you need?",
        "We answer from 9 to 17.",
        "What do you need?",
        "Your name, please?",
        "Thanks Grace, someone will write to you.",
    ],
    {"Seen": 2, "Topic": "A person", "Name": "Grace"},
)
TIP_CALCULATOR = Transcript(
    "tip-calculator.v6.json",
    ["80"],
    ["How much was the bill?", "Leave 12, 92 in all."],  # 92 is not greater than 100
    {"Bill": 80, "Tip": 12, "Sum": 92},
)
HOUSE_RULES = Transcript(
    "house-rules.v6.1.json",
    ["i-yes", "Bob"],
    [
        "No shoes inside.",  # the jump's group, then back after the jump with its return
        "Do you agree?",
        "Who are you?",
        "Come in, Bob.",
        "Enjoy your stay.",  # a return with no jump to go back to goes straight on
    ],
    {"Agreed": "I agree", "Guest": "Bob"},
)
TRANSCRIPTS = [PIZZA_NIGHT, HELP_DESK, TIP_CALCULATOR, HOUSE_RULES]


def imported_flows(runner: CliRunner, folder: Path) -> list[Path]:
    """Each transcript's export imported with `segflow import typebot` into a flow file."""
    flows = []
    for transcript in TRANSCRIPTS:
        flow = folder / f"{transcript.flow_id}.json"
        result = runner.invoke(
            app, ["import", "typebot", str(EXPORTS / transcript.export), "-o", str(flow)]
        )
        assert result.exit_code == 0, result.output
        flows.append(flow)
    return flows


@pytest.mark.parametrize("transcript", TRANSCRIPTS, ids=lambda t: t.flow_id)
def test_an_imported_bot_chats_in_the_terminal_as_in_typebot(
    transcript: Transcript,
    database_url: str,
    home: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("COLUMNS", "200")  # no wrapped lines
    runner = CliRunner()
    flow = imported_flows(runner, tmp_path)[TRANSCRIPTS.index(transcript)]

    result = runner.invoke(
        app,
        ["--database-url", database_url, "chat", str(flow)],
        input="".join(f"{answer}\n" for answer in transcript.answers),
    )

    assert result.exit_code == 0, result.output
    lines = [line.strip() for line in result.stdout.splitlines()]
    said = [line.split("Bot › ", 1)[1] for line in lines if "Bot › " in line]
    assert said == transcript.said
    assert lines[-1] == "The chat has ended (completed)."
    session_id = lines[1].split()[1].rstrip(",")
    segflow = Segflow.open(Settings(database_url=database_url))
    try:
        variables = Chats(segflow).get_session(session_id).variables
    finally:
        segflow.close()
    assert {name: variables.get(name) for name in transcript.variables} == transcript.variables


def test_imported_bots_chat_over_the_http_api_as_in_typebot(
    database_url: str, home: Path, tmp_path: Path
) -> None:
    flows = imported_flows(CliRunner(), tmp_path)
    published = [argument for flow in flows for argument in ("--flow", str(flow))]

    with ServeProcess(database_url, home, args=published) as server:
        for transcript in TRANSCRIPTS:
            turn = post(server, f"/api/v1/flows/{transcript.flow_id}/startChat")
            session_id, said = turn["sessionId"], texts(turn)
            for answer in transcript.answers:
                turn = post(server, f"/api/v1/sessions/{session_id}/continueChat", message=answer)
                said += texts(turn)
            assert turn.get("input") is None, transcript.flow_id
            assert said == transcript.said
            session = server.api.get(f"/api/v1/sessions/{session_id}").json()
            variables = session["variables"]
            assert {
                name: variables.get(name) for name in transcript.variables
            } == transcript.variables


def texts(turn: dict[str, Any]) -> list[str]:
    return [message["content"]["text"] for message in turn["messages"]]


@needs_samples
def test_every_typebot_export_imports_and_none_crashes() -> None:
    measured = subprocess.run(
        [
            *(sys.executable, str(MEASURE), str(SAMPLES), str(EXPORTS), str(FIXTURES)),
            str(TRANSCRIPT_EXPORTS),
        ],
        capture_output=True,
        text=True,
        check=False,
    )

    assert measured.returncode == 0, measured.stdout + measured.stderr
    totals = dict(
        line.split(":", 1)
        for line in measured.stdout.splitlines()
        if line and not line[0].isspace()
    )
    exports = int(totals["Exports"])
    written = [*EXPORTS.glob("*.json"), *TRANSCRIPT_EXPORTS.glob("*.json")]
    assert exports >= len(list(SAMPLES.glob("*.json"))) + len(written)
    assert totals["Imported"].split()[0] == str(exports)
    assert totals["Crashed"].split()[0] == "0"
