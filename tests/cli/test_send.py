"""`segflow send` from a terminal: typed HTTPie-style values reach Segment as typed JSON."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.servers import CollectorProcess


@pytest.fixture
def collector(tmp_path: Path) -> Iterator[CollectorProcess]:
    with CollectorProcess(f"sqlite:///{tmp_path / 'collector.db'}") as running:
        yield running


def segflow_cli(
    home: Path, collector: CollectorProcess, *args: str
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SEGFLOW_HOME": str(home), "SEGFLOW_COLLECTOR_URL": collector.url}
    env.pop("SEGFLOW_DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "segflow", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_each_action_arrives_with_typed_values(home: Path, collector: CollectorProcess) -> None:
    commands = [
        [
            "identify",
            "--user-id",
            "u-42",
            "--email",
            "ada@example.com",
            "--trait",
            "plan=pro",
            "--trait",
            "age:=36",
            "--trait",
            "address.city=Oslo",
        ],
        [
            "track",
            "Lead Captured",
            "--user-id",
            "u-42",
            "--property",
            "score:=9.5",
            "--property",
            'tags:=["chat","demo"]',
            "--property",
            "vip:=true",
        ],
        ["page", "Pricing", "--category", "Chatbot", "--anonymous-id", "visitor-1"],
        ["alias", "--previous-id", "visitor-1", "--user-id", "u-42"],
        ["group", "acme", "--user-id", "u-42", "--trait", "seats:=12"],
        ["screen", "Welcome", "--user-id", "{{user}}", "--var", "user=u-7", "--deliver"],
    ]
    for command in commands:
        result = segflow_cli(home, collector, "send", *command)
        assert result.returncode == 0, result.stderr

    events = {event["type"]: event["payload"] for event in collector.events()}
    assert events["identify"]["traits"] == {
        "email": "ada@example.com",
        "plan": "pro",
        "age": 36,
        "address": {"city": "Oslo"},
    }
    assert events["track"]["properties"] == {"score": 9.5, "tags": ["chat", "demo"], "vip": True}
    assert (events["page"]["name"], events["page"]["category"]) == ("Pricing", "Chatbot")
    assert events["page"]["anonymousId"] == "visitor-1"
    assert (events["alias"]["previousId"], events["alias"]["userId"]) == ("visitor-1", "u-42")
    assert (events["group"]["groupId"], events["group"]["traits"]) == ("acme", {"seats": 12})
    assert events["screen"]["userId"] == "u-7"


@pytest.mark.parametrize(
    ("args", "problem"),
    [
        (["track", "Signed Up", "--email", "a@b.c"], "--email does not apply here"),
        (["track", "--user-id", "u1"], "needs its NAME argument"),
        (["track", "Signed Up", "--user-id", "u1", "--property", "score"], "key=text or key:=json"),
        (["track", "Signed Up", "--user-id", "u1", "--property", "n:=[1"], "is not valid JSON"),
        (["identify", "--email", "a@b.c"], "Identify User: User ID is empty"),
        (["page", "Home"], "neither a User ID nor an Anonymous ID"),
        (["track", "Signed Up", "--user-id", "u1", "-d", "nowhere"], "No destination named"),
    ],
)
def test_bad_input_is_one_clear_line_and_a_failing_exit(
    home: Path, collector: CollectorProcess, args: list[str], problem: str
) -> None:
    result = segflow_cli(home, collector, "send", *args)

    assert result.returncode != 0
    assert problem in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr
