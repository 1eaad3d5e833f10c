"""`segflow validate`, `segflow schema` and `segflow chat`, as a person runs them."""

from __future__ import annotations

import uuid
from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner

import segflow.cli.commands  # noqa: F401  (registers every command)
from segflow.cli.app import app
from tests.servers import CollectorProcess

EXAMPLE = str(Path(__file__).parents[2] / "examples" / "lead-capture.yaml")


@pytest.fixture
def runner(home: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("COLUMNS", "200")  # no wrapped lines
    return CliRunner()


def test_validate_says_a_good_flow_is_valid(runner: CliRunner) -> None:
    result = runner.invoke(app, ["validate", EXAMPLE])

    assert result.exit_code == 0, result.output
    assert (
        result.stdout
        == f'✓ {EXAMPLE}: "Lead capture" is valid (5 groups, 11 blocks, 4 variables)\n'
    )


def test_validate_warns_of_a_regular_expression_that_backtracks_yet_passes(
    runner: CliRunner, tmp_path: Path
) -> None:
    flow = tmp_path / "slow.yaml"
    flow.write_text(
        """
name: Slow
variables: [{name: answer}]
groups:
  - id: ask
    title: Ask
    blocks:
      - {id: what, type: textInput, variable: answer}
      - id: check
        type: condition
        items:
          - comparisons: [{variable: answer, operator: matchesRegex, value: '^(a+)+$'}]
      - {id: done, type: text, text: Done}
"""
    )

    result = runner.invoke(app, ["validate", str(flow)])

    assert result.exit_code == 0, result.output
    warning, valid = result.stdout.splitlines()
    assert warning == (
        '⚠ Warning: Group "Ask" › block 2 (Condition): Conditions #1 › Comparisons #1 › '
        'Value: the regular expression "^(a+)+$" can take very long on some answers, as a '
        "repeated part of it can match the same text in many ways (like (a+)+, (a|a)* or "
        "(.*)*); a turn stops when its regular expressions run out of time "
        "(SEGFLOW_REGEX_TIMEOUT). Let each part match in one way only, e.g. ^a+$"
    )
    assert valid == f'✓ {flow}: "Slow" is valid (1 groups, 3 blocks, 1 variables)'


def test_validate_lists_every_problem_and_fails(runner: CliRunner, tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text(
        """
name: Broken
groups:
  - id: welcome
    title: Welcome
    blocks:
      - {id: hi, type: text, text: "Hi {{name}}", next: nowhere}
      - {id: track, type: segment, action: Track Event, destination: production}
"""
    )

    result = runner.invoke(app, ["validate", str(broken), "--check-destinations"])

    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        f"✗ {broken} has 3 problems:",
        '- Group "Welcome" › block 2 (Segment): Event Name is required',
        '- Group "Welcome" › block 1 (Text): Exit goes to group "nowhere", which does not exist',
        '- Group "Welcome" › block 1 (Text): the variable "name" (Text) is not in the flow\'s '
        "variables",
    ]


def test_validate_lists_warnings_after_the_problems(runner: CliRunner, tmp_path: Path) -> None:
    flow = tmp_path / "both.yaml"
    flow.write_text(
        """
name: Both
variables: [{name: answer}]
groups:
  - id: ask
    title: Ask
    blocks:
      - {id: b-1, type: textInput, variable: answer}
      - id: b-2
        type: condition
        items:
          - comparisons: [{variable: answer, operator: matchesRegex, value: '(.*)*x'}]
      - {id: b-3, type: segment, action: Track Event, eventName: "  "}
"""
    )

    result = runner.invoke(app, ["validate", str(flow)])

    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[:2] == [
        f"✗ {flow} has 1 problem:",
        '- Group "Ask" › block 3 (Segment): Event Name is required',
    ]
    assert lines[2].startswith('⚠ Warning: Group "Ask" › block 2 (Condition): Conditions #1 › ')
    assert len(lines) == 3


def test_schema_prints_the_json_schema(runner: CliRunner) -> None:
    result = runner.invoke(app, ["schema"])

    assert result.exit_code == 0
    schema = orjson.loads(result.stdout)
    assert schema["$defs"]["Block"]["oneOf"][0]["properties"]["type"] == {
        "const": "text",
        "title": "Type",
    }


def test_chat_talks_in_the_terminal_shows_what_it_queued_and_delivers_it(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch, collector: CollectorProcess
) -> None:
    monkeypatch.setenv("SEGFLOW_COLLECTOR_URL", collector.url)
    visitor = f"visitor-{uuid.uuid4()}"

    result = runner.invoke(
        app,
        ["chat", EXAMPLE, "--anonymous-id", visitor, "--var", "plan=free", "--deliver"],
        input="Ada\nnope\nada@example.com\n1\n",
    )

    assert result.exit_code == 0, result.output
    lines = [line.strip() for line in result.stdout.splitlines()]
    assert "Chatting with lead-capture, version 1" in lines
    assert "Bot › Hi! I'm Ada, segflow's assistant. What's your name?" in lines
    assert any("This email doesn't seem to be valid" in line for line in lines)
    assert "[1] Free  [2] Team  [3] Enterprise" in lines  # "1" picks Free
    assert any(line.startswith("You › Bot › Thanks Ada!") for line in lines)
    assert lines[-2] == "The chat has ended (completed)."
    queued = [line.split() for line in lines if line.startswith(("track ", "page ", "identify "))]
    assert [(row[0], row[1]) for row in queued][:3] == [
        ("track", "Flow"),
        ("page", "Welcome"),
        ("page", "Email"),
    ]
    assert ["identify", "ada@example.com", visitor, "local-collector"] in queued
    assert lines[-1] == "Delivered 8 message(s)"
    events = [event for event in collector.events() if event["anonymous_id"] == visitor]
    assert len(events) == 8
