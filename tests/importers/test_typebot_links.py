"""Two Typebot bots that link to each other, imported in one command and chatted through as
Typebot would: in the terminal (`segflow chat`) and over the HTTP APIs of `segflow serve`.

Front desk asks the name, links to the Plans bot (which asks the plan and links back to a
group of Front desk), then links to a group of its own; each link comes back when its path
ends, and same-named variables flow both ways."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import segflow.cli.commands  # noqa: F401  (registers every command)
from segflow.cli.app import app
from tests.importers.helpers import FIXTURES
from tests.serve_process import ServeProcess

FRONT_DESK = FIXTURES / "front-desk.v6.json"
PLANS = FIXTURES / "plans.v6.json"
TRANSCRIPT = [
    "Tip: Team plans can be changed any time.",
    "Thanks Ada, you picked Team.",
    "Bye Ada.",
    "Come back soon.",
]


@pytest.fixture
def runner(home: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("COLUMNS", "300")  # no wrapped lines
    return CliRunner()


def import_both(runner: CliRunner, folder: Path) -> tuple[Path, Path]:
    result = runner.invoke(
        app, ["import", "typebot", str(FRONT_DESK), str(PLANS), "-o", str(folder)]
    )
    assert result.exit_code == 0, result.output
    return folder / "front-desk.v6.json", folder / "plans.v6.json"


def test_bots_imported_together_find_each_other(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["import", "typebot", str(FRONT_DESK), str(PLANS), "-o", str(tmp_path / "flows")]
    )

    assert result.exit_code == 0, result.output
    front, plans = tmp_path / "flows" / "front-desk.v6.json", tmp_path / "flows" / "plans.v6.json"
    assert result.stdout.splitlines() == [
        f'Imported "Front desk" into {front}: 3 groups, 8 blocks, 2 variables.',
        "Everything was imported as it was.",
        f'Imported "Plans" into {plans}: 2 groups, 4 blocks, 2 variables.',
        "Everything was imported as it was.",
    ]


def test_a_bot_imported_alone_asks_for_the_export_of_the_bot_it_links_to(
    runner: CliRunner, tmp_path: Path
) -> None:
    result = runner.invoke(
        app, ["import", "typebot", str(FRONT_DESK), "-o", str(tmp_path / "f.json")]
    )

    assert result.exit_code == 0, result.output
    assert (
        '  - group "Hello", block b-to-plans (Typebot link): it links to the Typebot '
        '"cl-plans-0002", which is not imported yet: import that bot\'s export too (the link '
        "finds its flow by that Typebot ID); until then, chats go on past the link"
    ) in result.stdout.splitlines()


def test_several_bots_need_a_folder_to_go_to(runner: CliRunner) -> None:
    result = runner.invoke(app, ["import", "typebot", str(FRONT_DESK), str(PLANS)])

    assert result.exit_code == 1
    assert "Give --output a folder to import several bots" in result.stderr


def test_the_imported_bots_chat_in_the_terminal(runner: CliRunner, tmp_path: Path) -> None:
    front, plans = import_both(runner, tmp_path / "flows")

    result = runner.invoke(app, ["chat", str(front), "--flow", str(plans)], input="Ada\n2\n")

    assert result.exit_code == 0, result.output
    lines = [line.strip() for line in result.stdout.splitlines()]
    assert lines[:2] == ["Published plans-v6, version 1", "Chatting with front-desk-v6, version 1"]
    bot = [line.split("Bot › ", 1)[1] for line in lines if "Bot › " in line]
    assert bot == ["Welcome to the front desk. What's your name?", "Which plan, Ada?", *TRANSCRIPT]
    assert "[1] Free  [2] Team" in lines
    assert lines[-1] == "The chat has ended (completed)."


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServeProcess]:
    folder = tmp_path_factory.mktemp("linked-bots")
    front, plans = import_both(CliRunner(), folder / "flows")
    flows = ("--flow", str(front), "--flow", str(plans))
    with ServeProcess(f"sqlite:///{folder / 'segflow.db'}", folder / "home", args=flows) as served:
        yield served


def post(server: ServeProcess, path: str, body: Any = None) -> dict[str, Any]:
    response = server.api.post(path, json=body)
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


def test_the_imported_bots_chat_over_the_chat_api(server: ServeProcess) -> None:
    started = post(server, "/api/v1/flows/front-desk/startChat")  # the Typebot's publicId
    session = started["sessionId"]
    asked = post(server, f"/api/v1/sessions/{session}/continueChat", {"message": "Ada"})

    assert [message["content"]["text"] for message in asked["messages"]] == ["Which plan, Ada?"]
    assert asked["input"]["blockId"] == "b-plan"
    found = server.api.get(f"/api/v1/sessions/{session}").json()
    assert (found["flowId"], found["input"]) == ("front-desk-v6", asked["input"])

    last = post(server, f"/api/v1/sessions/{session}/continueChat", {"message": "Team"})
    assert [message["content"]["text"] for message in last["messages"]] == TRANSCRIPT
    assert (last["status"], last["logs"]) == ("completed", [])
    assert server.api.get(f"/api/v1/sessions/{session}").json()["variables"] == {
        "Name": "Ada",
        "Plan": "Team",
    }


def test_the_imported_bots_chat_over_typebots_api(server: ServeProcess) -> None:
    started = post(server, "/api/v1/typebots/front-desk/startChat", {})
    session = started["sessionId"]
    asked = post(server, f"/api/v1/sessions/{session}/continueChat", {"message": "Ada"})

    assert asked["input"]["id"] == "b-plan"
    assert asked["input"]["type"] == "choice input"
    last = post(server, f"/api/v1/sessions/{session}/continueChat", {"message": "Team"})
    texts = [
        "".join(child["text"] for child in message["content"]["richText"][0]["children"])
        for message in last["messages"]
    ]
    assert texts == TRANSCRIPT
    assert "input" not in last or last["input"] is None


def test_when_one_bot_cannot_be_imported_no_flow_is_written(
    runner: CliRunner, tmp_path: Path
) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text('{"version": "6", "name": "No groups"}', encoding="utf-8")

    result = runner.invoke(
        app, ["import", "typebot", str(FRONT_DESK), str(broken), "-o", str(tmp_path / "flows")]
    )

    assert result.exit_code == 1
    assert 'This is not a Typebot export: it has no "groups" list' in result.stderr
    assert list((tmp_path / "flows").iterdir()) == []
