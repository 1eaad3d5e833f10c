"""Typebot bots chatted through as Typebot runs them: each export of transcripts/ reproduces the
structure of one of Typebot's own test bots or templates, and its YAML file holds the chats
Typebot has with it (the answers, what the bot says, the variables at the end). Every chat
runs through `segflow chat` in the terminal and through the HTTP API of one `segflow serve`.

Variables keep what segflow keeps: numbers typed or computed stay numbers where Typebot keeps
their text (the README says so); everything else is Typebot's value.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

import segflow.cli.commands  # noqa: F401  (registers every command)
from segflow.chat import Chats
from segflow.cli.app import app
from segflow.service import Segflow
from segflow.settings import Settings
from tests.importers.helpers import post
from tests.serve_process import ServeProcess

TRANSCRIPTS = Path(__file__).with_name("transcripts")


@dataclass(frozen=True)
class Transcript:
    """One chat with an export: prefilled variables, the answers given, what the bot said (its
    text messages), and the variables at the end."""

    export: Path
    name: str
    answers: list[str]
    said: list[str]
    variables: dict[str, Any]
    prefilled: dict[str, str] = field(default_factory=dict)

    @property
    def flow_id(self) -> str:
        return self.export.name.split(".")[0]

    def __str__(self) -> str:
        return f"{self.flow_id}: {self.name}"


def exports() -> list[Path]:
    return sorted(TRANSCRIPTS.glob("*.json"))


def transcripts() -> list[Transcript]:
    found = []
    for export in exports():
        chats = yaml.safe_load(export.with_name(f"{export.name.split('.')[0]}.yaml").read_text())
        for chat in chats:
            found.append(
                Transcript(
                    export,
                    chat["name"],
                    [str(answer) for answer in chat["answers"]],
                    [str(text) for text in chat["said"]],
                    chat["variables"],
                    chat.get("prefilled") or {},
                )
            )
    return found


TRANSCRIPTS_RUN = transcripts()


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A private segflow home, and every export imported with `segflow import typebot`."""
    folder = tmp_path_factory.mktemp("typebot-transcripts")
    with pytest.MonkeyPatch.context() as environment:
        environment.setenv("SEGFLOW_HOME", str(folder / "home"))
        environment.setenv("COLUMNS", "200")  # no wrapped lines in the terminal
        for name in ("SEGFLOW_DATABASE_URL", "SEGMENT_WRITE_KEY", "SEGMENT_ENDPOINT"):
            environment.delenv(name, raising=False)
        runner = CliRunner()
        for export in exports():
            flow = folder / f"{export.name.split('.')[0]}.json"
            result = runner.invoke(app, ["import", "typebot", str(export), "-o", str(flow)])
            assert result.exit_code == 0, result.output
        yield folder


@pytest.fixture(scope="module")
def server(folder: Path) -> Iterator[ServeProcess]:
    published = [argument for flow in folder.glob("*.json") for argument in ("--flow", str(flow))]
    with ServeProcess(
        f"sqlite:///{folder / 'served.db'}",
        folder / "home",
        args=published,
        environment={"SEGFLOW_NEW_CHATS_PER_MINUTE": "0"},
    ) as process:
        yield process


@pytest.mark.parametrize("transcript", TRANSCRIPTS_RUN, ids=str)
def test_a_typebot_bot_chats_in_the_terminal_as_in_typebot(
    transcript: Transcript, folder: Path
) -> None:
    database_url = f"sqlite:///{folder / 'terminal.db'}"
    prefilled = [
        option
        for name, value in transcript.prefilled.items()
        for option in ("--var", f"{name}={value}")
    ]
    flow = folder / f"{transcript.flow_id}.json"

    result = CliRunner().invoke(
        app,
        ["--database-url", database_url, "chat", str(flow), *prefilled],
        input="".join(f"{answer}\n" for answer in transcript.answers),
    )

    assert result.exit_code == 0, result.output
    lines = [line.strip() for line in result.stdout.splitlines()]
    said = [line.split("Bot › ", 1)[1].strip() for line in lines if "Bot › " in line]
    assert [text for text in said if not text.startswith("[image:")] == transcript.said
    assert lines[-1].endswith("The chat has ended (completed).")  # after the last prompt
    session_id = lines[1].split()[1].rstrip(",")
    segflow = Segflow.open(Settings(database_url=database_url))
    try:
        variables = Chats(segflow).get_session(session_id).variables
    finally:
        segflow.close()
    assert {name: variables.get(name) for name in transcript.variables} == transcript.variables


@pytest.mark.parametrize("transcript", TRANSCRIPTS_RUN, ids=str)
def test_a_typebot_bot_chats_over_the_http_api_as_in_typebot(
    transcript: Transcript, server: ServeProcess
) -> None:
    turn = post(
        server,
        f"/api/v1/flows/{transcript.flow_id}/startChat",
        prefilledVariables=transcript.prefilled,
    )
    session_id, said = turn["sessionId"], texts(turn)
    for answer in transcript.answers:
        turn = post(server, f"/api/v1/sessions/{session_id}/continueChat", message=answer)
        said += texts(turn)

    assert turn.get("input") is None
    assert said == transcript.said
    variables = server.api.get(f"/api/v1/sessions/{session_id}").json()["variables"]
    assert {name: variables.get(name) for name in transcript.variables} == transcript.variables


def texts(turn: dict[str, Any]) -> list[str]:
    return [
        message["content"]["text"].strip()
        for message in turn["messages"]
        if message["type"] == "text"
    ]


def test_every_export_has_its_transcripts() -> None:
    assert len(exports()) >= 12
    for export in exports():
        assert export.with_name(f"{export.name.split('.')[0]}.yaml").is_file(), export.name


def test_typebots_chat_api_tells_typebots_embed_the_phone_inputs_country(
    server: ServeProcess,
) -> None:
    started = post(server, "/api/v1/typebots/signup/startChat")
    chat = f"/api/v1/sessions/{started['sessionId']}/continueChat"
    post(server, chat, message={"type": "text", "text": "Ines Duarte"})

    phone = post(server, chat, message={"type": "text", "text": "ines@example.org"})

    assert phone["input"]["type"] == "phone number input"
    assert phone["input"]["options"]["defaultCountryCode"] == "FR"
