"""`segflow import typebot FILE [-o OUT]` as a person runs it."""

from pathlib import Path

import orjson
import pytest
import yaml
from typer.testing import CliRunner

import segflow.cli.importer  # noqa: F401  (registers `segflow import`)
from segflow.cli.app import app
from segflow.flow import FlowError, load_flow
from tests.importers.helpers import FIXTURES

LEAD = str(FIXTURES / "lead-capture.v6.1.json")


@pytest.fixture
def runner(home: Path) -> CliRunner:
    return CliRunner()


def test_writes_a_yaml_flow_and_prints_the_report(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "lead.yaml"

    result = runner.invoke(app, ["import", "typebot", LEAD, "-o", str(out)])

    assert result.exit_code == 0, result.output
    flow = yaml.safe_load(out.read_text(encoding="utf-8"))
    assert flow["name"] == "Lead capture"
    # segflow reads the file it wrote; the Track Event left unnamed in Typebot is to fix first.
    with pytest.raises(FlowError) as refused:
        load_flow(out)
    assert [str(problem) for problem in refused.value.problems] == [
        'Group "Tell Segment" › block 5 (Segment): Event Name is required'
    ]
    assert f'Imported "Lead capture" into {out}: 5 groups, 13 blocks, 7 variables.' in result.stdout
    assert "Needs setup in segflow (7):" in result.stdout
    assert (
        '- fix before the flow runs: Group "Tell Segment" › block 5 (Segment): Event Name is '
        "required" in result.stdout
    )
    assert "Not imported (1):" in result.stdout
    assert 'group "Tell Segment", block b-identify (segment): needs a segflow Segment account' in (
        result.stdout
    )


def test_writes_json_for_any_other_suffix(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "lead.json"

    result = runner.invoke(app, ["import", "typebot", LEAD, "--output", str(out)])

    assert result.exit_code == 0, result.output
    assert orjson.loads(out.read_bytes())["start"]["group"] == "g-welcome"


def test_without_output_prints_the_flow_and_reports_aside(runner: CliRunner) -> None:
    result = runner.invoke(app, ["import", "typebot", str(FIXTURES / "menu.v5.json")])

    assert result.exit_code == 0, result.output
    assert orjson.loads(result.stdout)["name"] == "Menu"
    assert "Not imported (1):" in result.stderr


def test_a_bot_imported_as_it_was_says_so(runner: CliRunner, tmp_path: Path) -> None:
    document = {
        "version": "6",
        "name": "Hello",
        "events": [{"id": "ev", "type": "start", "outgoingEdgeId": "e"}],
        "groups": [
            {
                "id": "g",
                "title": "Hi",
                "blocks": [
                    {
                        "id": "b",
                        "type": "text",
                        "content": {"richText": [{"type": "p", "children": [{"text": "Hi"}]}]},
                    }
                ],
            }
        ],
        "edges": [{"id": "e", "from": {"eventId": "ev"}, "to": {"groupId": "g"}}],
        "variables": [],
    }
    source = tmp_path / "hello.json"
    source.write_bytes(orjson.dumps(document))

    result = runner.invoke(app, ["import", "typebot", str(source), "-o", str(tmp_path / "f.yml")])

    assert "Everything was imported as it was." in result.stdout


@pytest.mark.parametrize(
    ("content", "error"),
    [
        (b'{"version": "2", "groups": []}', 'Typebot export version "2" is not supported'),
        (b'{"version":', "is not valid JSON: unexpected end of data"),
    ],
)
def test_errors_are_one_line(runner: CliRunner, tmp_path: Path, content: bytes, error: str) -> None:
    source = tmp_path / "a-rather-long-file-name-for-a-typebot-export-of-some-bot.json"
    source.write_bytes(content)

    result = runner.invoke(app, ["import", "typebot", str(source)])

    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.startswith("Error: ")
    assert error in result.stderr
    assert result.stderr.count("\n") == 1


def test_a_missing_file_is_named(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(app, ["import", "typebot", str(tmp_path / "nope.json")])

    assert result.exit_code == 1
    assert (
        f"Error: {tmp_path / 'nope.json'} cannot be read: No such file or directory"
        in result.stderr
    )


def test_never_writes_over_the_export(runner: CliRunner, tmp_path: Path) -> None:
    source = tmp_path / "bot.json"
    source.write_bytes((FIXTURES / "menu.v5.json").read_bytes())

    result = runner.invoke(app, ["import", "typebot", str(source), "-o", str(source)])

    assert result.exit_code == 1
    assert "Refusing to write the flow over the Typebot export" in result.stderr
    assert source.read_bytes() == (FIXTURES / "menu.v5.json").read_bytes()
