"""`segflow chat FILE` beside the Flow Editor: a file never replaces a flow changed in the editor
unless asked, while a flow that comes from a file follows the file."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx

from tests.serve_process import ServeProcess

EXAMPLE = Path(__file__).parents[2] / "examples" / "lead-capture.yaml"
TOKEN = "chat-file-editor-token-0123456789"
GREETING = "Hi! I'm **Ada**, segflow's assistant. What's your name?"  # as the file has it
SAID = "Hi! I'm Ada, segflow's assistant. What's your name?"  # as the chat shows it


def chat(home: Path, database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    """`segflow chat …` in a terminal of its own, leaving the chat at once (end of input)."""
    env = {**os.environ, "SEGFLOW_HOME": str(home), "COLUMNS": "300"}
    env.pop("SEGFLOW_DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "segflow", "--database-url", database_url, "chat", *args],
        env=env,
        input="",
        capture_output=True,
        text=True,
        timeout=60,
    )


def first_text(flow: dict[str, object]) -> str:
    groups = flow["groups"]
    assert isinstance(groups, list)
    return str(groups[0]["blocks"][0]["text"])


def test_a_flow_file_never_replaces_the_flow_published_from_the_editor_unless_asked(
    tmp_path: Path,
) -> None:
    database_url = f"sqlite:///{tmp_path / 'segflow.db'}"
    home = tmp_path / "home"
    environment = {"SEGFLOW_EDITOR_TOKEN": TOKEN}
    with ServeProcess(database_url, home, environment=environment) as server:
        editor = httpx.Client(
            base_url=f"{server.url}/editor/api",
            headers={"Authorization": f"Bearer {TOKEN}"},
            timeout=30.0,
        )
        # The builder changes the example in the editor and publishes it.
        draft = editor.get("/flows/lead-capture").json()["draft"]
        assert first_text(draft) == GREETING
        draft["groups"][0]["blocks"][0]["text"] = "Hello from the editor! Your name?"
        editor.put("/flows/lead-capture/draft", json=draft).raise_for_status()
        assert editor.post("/flows/lead-capture/publish").json()["version"] == 2

        refused = chat(home, database_url, str(EXAMPLE))

        assert refused.returncode == 1, refused.stdout
        assert " ".join(refused.stderr.split()) == (
            f'Error: {EXAMPLE} was not saved as flow "lead-capture": that flow\'s draft was '
            "saved in the Flow Editor (or through its API) and differs from the file. To chat "
            "with it as published: segflow chat lead-capture; to replace it with the file: "
            f"segflow chat {EXAMPLE} --replace"
        )
        flow = editor.get("/flows/lead-capture").json()
        assert (flow["publishedVersion"], first_text(flow["draft"])) == (
            2,
            "Hello from the editor! Your name?",
        )

        by_id = chat(home, database_url, "lead-capture")
        assert by_id.returncode == 0, by_id.stderr
        assert "Bot › Hello from the editor! Your name?" in by_id.stdout

        replaced = chat(home, database_url, str(EXAMPLE), "--replace")
        assert replaced.returncode == 0, replaced.stderr
        assert "Chatting with lead-capture, version 3" in replaced.stdout
        assert f"Bot › {SAID}" in replaced.stdout
        flow = editor.get("/flows/lead-capture").json()
        assert (flow["publishedVersion"], first_text(flow["draft"])) == (3, GREETING)


def test_a_flow_from_a_file_follows_the_file_each_time_it_is_chatted_with(
    tmp_path: Path,
) -> None:
    database_url = f"sqlite:///{tmp_path / 'segflow.db'}"
    home = tmp_path / "home"
    bot = tmp_path / "bot.yaml"
    bot.write_text(EXAMPLE.read_text())

    first = chat(home, database_url, str(bot))
    again = chat(home, database_url, str(bot))
    bot.write_text(EXAMPLE.read_text().replace(GREETING, "Hi again! What's your name?"))
    changed = chat(home, database_url, str(bot))

    assert [run.returncode for run in (first, again, changed)] == [0, 0, 0], changed.stderr
    assert "Chatting with bot, version 1" in first.stdout
    assert "Chatting with bot, version 1" in again.stdout  # an unchanged file publishes nothing
    assert "Chatting with bot, version 2" in changed.stdout
    assert "Bot › Hi again! What's your name?" in changed.stdout
