"""Reading flow documents anyone may have written: whatever the bytes, segflow reads them or
says in one line what is wrong with them, and never hangs or crashes on them."""

from __future__ import annotations

import math
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import orjson
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from segflow.flow import FlowError, load_flow, parse_document, parse_flow, read_document

# The file that brought `segflow serve` down: 445 bytes, 9^9 "lol"s once its aliases expand.
BILLION_LAUGHS = "\n".join(
    [
        'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
        *(
            f"{name}: &{name} [{','.join([f'*{previous}'] * 9)}]"
            for previous, name in zip("abcdefgh", "bcdefghi", strict=True)
        ),
        "name: laughs",
        "groups: []",
        "# padding to the size of the original file ................................",
    ]
)
SYNTAXES = st.sampled_from(["json", "yaml", None])
# Pieces of YAML and JSON syntax, so that random documents reach the parsers' corners.
YAML_PIECES = st.sampled_from(
    [
        *("\n", "  ", "- ", ": ", ", ", "[", "]", "{", "}", "&a ", "*a", "&b ", "*b", "<<: "),
        *("? ", "!!binary ", "!!set ", "!!python/object ", "!foo ", "---\n", "...\n", "|\n"),
        *(">\n", "'", '"', "#", "%YAML 1.1\n", "0x1F", "1:00:00", "1e999", "2024-01-01", "~"),
        *("true", "null", ".nan", "name", "groups", "\t", "\\u00e9", "\x00", "\ud800", "é"),
        *("9" * 120, "1_000", "0b101", "-.inf"),
    ]
)
# Text YAML writes and reads back alike (PyYAML folds the line breaks NEL, LS and PS).
PLAIN_TEXT = st.text(st.characters(exclude_categories=["Cs", "Cc", "Zl", "Zp"]), max_size=12)
JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | PLAIN_TEXT,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(PLAIN_TEXT, children, max_size=4)
    ),
    max_leaves=30,
)
QUICK = settings(deadline=2000, max_examples=150, suppress_health_check=[HealthCheck.too_slow])


@QUICK
@given(content=st.binary(max_size=2000), syntax=SYNTAXES)
def test_any_bytes_are_read_or_refused_with_a_flow_error(content: bytes, syntax: Any) -> None:
    try:
        parse_document(content, source="upload", syntax=syntax)
    except FlowError as error:
        assert str(error).startswith("upload ")
        assert "\n" not in str(error)


@QUICK
@given(pieces=st.lists(YAML_PIECES, max_size=60), syntax=SYNTAXES)
def test_any_yaml_like_text_is_read_or_refused_with_a_flow_error(
    pieces: list[str], syntax: Any
) -> None:
    try:
        document = parse_document("".join(pieces), source="upload", syntax=syntax)
    except FlowError as error:
        assert "\n" not in str(error)
    else:
        orjson.dumps(document)  # only JSON's kinds of values come out


@QUICK
@given(text=st.text(max_size=500), syntax=SYNTAXES)
def test_any_text_is_read_or_refused_with_a_flow_error(text: str, syntax: Any) -> None:
    try:
        parse_document(text, source="upload", syntax=syntax)
    except FlowError as error:
        assert "\n" not in str(error)


@QUICK
@given(value=JSON_VALUES)
def test_every_json_value_reads_back_the_same_from_json_and_from_yaml(value: Any) -> None:
    as_json = orjson.dumps(value)
    as_yaml = yaml.safe_dump(value, allow_unicode=True)

    assert _same(parse_document(as_json, source="doc.json", syntax="json"), value)
    assert _same(parse_document(as_yaml, source="doc.yaml", syntax="yaml"), value)
    assert _same(parse_document(as_json, source="upload"), value)


def _same(read: Any, value: Any) -> bool:
    if isinstance(value, float) and isinstance(read, float):
        return math.isclose(read, value) or read == value
    if isinstance(value, list) and isinstance(read, list):
        return len(read) == len(value) and all(map(_same, read, value))
    if isinstance(value, dict) and isinstance(read, dict):
        return read.keys() == value.keys() and all(_same(read[k], value[k]) for k in value)
    return bool(read == value and type(read) is type(value))


def test_yaml_aliases_are_refused_naming_the_file_and_line(tmp_path: Path) -> None:
    bomb = tmp_path / "laughs.yaml"
    bomb.write_text(BILLION_LAUGHS)

    with pytest.raises(FlowError) as refused:
        load_flow(bomb)

    assert str(refused.value) == (
        f"{bomb} is not valid YAML: uses the alias *a, which segflow does not read: write the "
        "value out in full (line 2, column 8)"
    )


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"name: caf\xe9\n", "is not UTF-8 text (byte 0xe9 at position 9): save it as UTF-8"),
        (b"name: " + b"[" * 65 + b"]" * 65, "is nested more than 64 levels deep"),
        (b"name: x\nsize: 1" + b":00" * 400, "has a number longer than 100 characters"),
        (b"name: !!binary aGk=\n", "uses the YAML type tag:yaml.org,2002:binary"),
        (b"name: x\n1: one\n", "has a key that is not text (1): put it in quotes"),
    ],
)
def test_unsafe_or_unreadable_files_are_refused_in_one_line(
    tmp_path: Path, content: bytes, problem: str
) -> None:
    flow_file = tmp_path / "flow.yaml"
    flow_file.write_bytes(content)

    with pytest.raises(FlowError) as refused:
        read_document(flow_file)

    assert str(refused.value).startswith(f"{flow_file} ")
    assert problem in str(refused.value)
    assert "\n" not in str(refused.value)


def test_a_file_larger_than_5_mb_is_refused(tmp_path: Path) -> None:
    huge = tmp_path / "huge.json"
    huge.write_bytes(b'{"name": "' + b"x" * (5 * 1024 * 1024) + b'"}')

    with pytest.raises(FlowError) as refused:
        read_document(huge)

    assert str(refused.value) == f"{huge} is larger than 5 MB, the most segflow reads"


def test_dates_in_yaml_stay_text(tmp_path: Path) -> None:
    flow_file = tmp_path / "flow.yaml"
    flow_file.write_text("name: 2024-01-01\n")

    assert read_document(flow_file) == {"name": "2024-01-01"}


@pytest.mark.parametrize("command", [["validate"], ["chat"], ["serve", "--port", "0", "--flow"]])
def test_every_command_refuses_the_billion_laughs_at_once(
    home: Path, tmp_path: Path, command: list[str]
) -> None:
    bomb = tmp_path / "laughs.yaml"
    bomb.write_text(BILLION_LAUGHS)

    done = subprocess.run(
        [sys.executable, "-m", "segflow", *command, str(bomb)],
        capture_output=True,
        text=True,
        timeout=60,
        env=_environment(home),
    )

    assert done.returncode == 1
    assert f"{bomb} is not valid YAML: uses the alias *a" in done.stdout + done.stderr


def test_import_typebot_refuses_a_file_that_is_not_utf8(home: Path, tmp_path: Path) -> None:
    export = tmp_path / "bot.json"
    export.write_bytes(b'{"version": "6", "name": "caf\xe9"}')

    done = subprocess.run(
        [sys.executable, "-m", "segflow", "import", "typebot", str(export)],
        capture_output=True,
        text=True,
        timeout=60,
        env=_environment(home),
    )

    assert done.returncode == 1
    assert done.stderr == (
        f"Error: {export} is not UTF-8 text (byte 0xe9 at position 29): save it as UTF-8\n"
    )


def _environment(home: Path) -> dict[str, str]:
    import os

    return {**os.environ, "SEGFLOW_HOME": str(home), "COLUMNS": "400"}


def test_a_document_sent_as_json_is_bounded_too() -> None:
    nested: list[object] = []
    for _ in range(100):
        nested = [nested]

    with pytest.raises(FlowError) as refused:
        parse_flow({"name": "Deep", "groups": nested}, source="The draft")

    assert [str(problem) for problem in refused.value.problems] == [
        "Flow: is nested more than 64 levels deep"
    ]


def test_a_yaml_file_of_millions_of_values_is_refused_before_they_are_built(
    tmp_path: Path,
) -> None:
    many = tmp_path / "many.yaml"
    many.write_text("- {a: 1}\n" * 500_000)  # 4.5 MB, within the size limit

    started = time.monotonic()
    with pytest.raises(FlowError) as refused:
        read_document(many)

    assert str(refused.value) == (
        f"{many} is not valid YAML: holds more than 200,000 values (line 66667, column 4)"
    )
    assert time.monotonic() - started < 30  # building them all took minutes
