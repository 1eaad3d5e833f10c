"""A chat turn's budget: past any limit the chat stops, says which and where, and keeps what
it had; a later answer, or a new chat, behaves."""

from __future__ import annotations

import time
from typing import Any

import orjson
import pytest

from segflow.flow import ChatEndedError, ChatStatus, Turn, continue_session, start_session
from segflow.limits import DEFAULT_LIMITS, Limits
from tests.flow.helpers import flow_from_yaml, said


def limits(**changed: Any) -> Limits:
    return DEFAULT_LIMITS.model_copy(update=changed)


def stop_line(turn: Turn) -> str:
    """The turn's last log, as the API shows it, once the chat stopped."""
    assert turn.state.status is ChatStatus.STOPPED
    assert turn.input is None
    log = turn.logs[-1]
    assert log.status == "error"
    return str(log)


def saved_bytes(turn: Turn) -> int:
    return len(orjson.dumps(turn.state.variables))


GROWTH = """
    name: Growth
    variables: [{name: s, value: a}, {name: answer}]
    groups:
      - id: ask
        title: Ask
        blocks: [{id: what, type: textInput, variable: answer, next: loop}]
      - id: loop
        title: Loop
        blocks:
          - {id: grow, type: setVariable, variable: s, expression: "s + s + answer"}
          - {id: again, type: jump, group: loop}
    start: {group: ask}
"""


def test_a_jump_loop_stops_at_the_blocks_a_turn_may_run() -> None:
    flow = flow_from_yaml(
        """
        name: Loop
        groups:
          - {id: a, title: A, blocks: [{id: to-b, type: jump, group: b}]}
          - {id: b, title: B, blocks: [{id: to-a, type: jump, group: a}]}
        """
    )

    turn = start_session(flow, limits=limits(max_blocks_per_turn=40))

    assert stop_line(turn) == (
        'Group "A" › block "to-b": The chat stopped: it ran 40 blocks without asking anything '
        "(exits or jumps loop back without an input; the loop passes through here); "
        "the limit is 40 (SEGFLOW_MAX_BLOCKS_PER_TURN)"
    )
    with pytest.raises(ChatEndedError, match=r"This chat has ended \(stopped\)"):
        continue_session(flow, turn.state, "hello?")


def test_a_turn_says_at_most_the_messages_it_may() -> None:
    flow = flow_from_yaml(
        """
        name: Chatty
        groups:
          - id: talk
            title: Talk
            blocks: [{id: hello, type: text, text: again, next: talk}]
        """
    )

    turn = start_session(flow, limits=limits(max_messages_per_turn=7))

    assert said(turn) == ["again"] * 7
    assert stop_line(turn) == (
        'Group "Talk" › block "hello": The chat stopped: it would say more than 7 messages in '
        "one turn; the limit is 7 (SEGFLOW_MAX_MESSAGES_PER_TURN)"
    )


def test_text_that_doubles_in_a_loop_stops_before_it_is_built() -> None:
    flow = flow_from_yaml(GROWTH)
    first = start_session(flow)

    turn = continue_session(flow, first.state, "x" * 28)

    # s grows 1, 30, 88, … 14,820 characters; doubling that once more would pass the limit.
    assert stop_line(turn) == (
        'Group "Loop" › block "grow": The chat stopped: Set variable would make "s" a text of '
        "29,640 bytes; the limit is 16,384 (SEGFLOW_MAX_VARIABLE_BYTES)"
    )
    assert len(str(turn.state.variables["s"])) == 14_820  # the last value that fitted
    assert turn.state.variables["answer"] == "x" * 28
    assert saved_bytes(turn) <= DEFAULT_LIMITS.max_session_bytes


def test_a_template_that_doubles_a_variable_stops_at_the_size_a_variable_may_have() -> None:
    flow = flow_from_yaml(
        """
        name: Template
        variables: [{name: s, value: ab}]
        groups:
          - id: loop
            title: Loop
            blocks:
              - {id: grow, type: setVariable, variable: s, value: "{{s}}{{s}}"}
              - {id: again, type: jump, group: loop}
        """
    )

    turn = start_session(flow, limits=limits(max_variable_bytes=1_000))

    assert stop_line(turn) == (
        'Group "Loop" › block "grow": The chat stopped: Set variable would make "s" a value of '
        "1,026 bytes; the limit is 1,000 (SEGFLOW_MAX_VARIABLE_BYTES)"
    )
    assert turn.state.variables["s"] == "ab" * 256


def test_variables_together_stop_at_the_size_of_a_chat() -> None:
    budget = limits(max_variable_bytes=500, max_session_bytes=1_000)
    flow = flow_from_yaml(
        """
        name: Many
        variables: [{name: seed}, {name: a}, {name: b}, {name: c}]
        groups:
          - id: fill
            title: Fill
            blocks:
              - {id: set-a, type: setVariable, variable: a, expression: "upper(seed)"}
              - {id: set-b, type: setVariable, variable: b, expression: "upper(seed)"}
              - {id: set-c, type: setVariable, variable: c, expression: "upper(seed)"}
              - {id: done, type: text, text: done}
        """
    )
    turn = start_session(flow, prefilled={"seed": "x" * 300}, limits=budget)

    assert said(turn) == []
    assert stop_line(turn).startswith(
        'Group "Fill" › block "set-c": The chat stopped: Set variable would make the chat\'s '
        "variables 1,2"
    )
    assert stop_line(turn).endswith("bytes in all; the limit is 1,000 (SEGFLOW_MAX_SESSION_BYTES)")
    assert saved_bytes(turn) <= 1_000
    assert turn.state.variables["c"] is None


def test_an_answer_too_large_for_a_variable_stops_the_chat_without_keeping_it() -> None:
    flow = flow_from_yaml(GROWTH)
    first = start_session(flow, limits=limits(max_variable_bytes=100))

    turn = continue_session(flow, first.state, "y" * 200, limits=limits(max_variable_bytes=100))

    assert stop_line(turn) == (
        'Group "Ask" › block "what": The chat stopped: Text input would make "answer" a value of '
        "202 bytes; the limit is 100 (SEGFLOW_MAX_VARIABLE_BYTES)"
    )
    assert turn.state.variables["answer"] is None


def test_a_prefilled_value_too_large_is_ignored_with_a_warning() -> None:
    flow = flow_from_yaml(GROWTH)

    turn = start_session(flow, prefilled={"s": "z" * 50}, limits=limits(max_variable_bytes=20))

    assert turn.state.status is ChatStatus.ACTIVE
    assert turn.state.variables["s"] == "a"  # as the flow starts it
    (log,) = turn.logs
    assert (log.status, str(log)) == (
        "warning",
        'Prefilled variables would make "s" a value of 52 bytes; the limit is 20 '
        "(SEGFLOW_MAX_VARIABLE_BYTES); it is ignored",
    )


def test_a_number_squared_in_a_loop_becomes_too_large_and_the_loop_stops() -> None:
    flow = flow_from_yaml(
        """
        name: Squares
        variables: [{name: n, value: "2"}]
        groups:
          - id: loop
            title: Loop
            blocks:
              - {id: square, type: setVariable, variable: n, expression: "number(n) * n"}
              - {id: again, type: jump, group: loop}
        """
    )

    turn = start_session(flow, limits=limits(max_blocks_per_turn=40))

    n = turn.state.variables["n"]
    assert isinstance(n, float)
    assert n == 2.0**512  # past 2^53 a float, as in JavaScript; the next square is too large
    assert len(turn.logs) == 2  # the loop's error, said once, and the stop
    assert str(turn.logs[0]) == (
        'Group "Loop" › block "square": Expression \'number(n) * n\': the result is too large; '
        "n is left unchanged"
    )
    assert stop_line(turn).endswith("the limit is 40 (SEGFLOW_MAX_BLOCKS_PER_TURN)")


BACKTRACKING = """
    name: Backtracking
    variables: [{name: answer}]
    groups:
      - id: ask
        title: Ask
        blocks:
          - {id: what, type: textInput, variable: answer}
          - id: check
            type: condition
            items:
              - comparisons: [{variable: answer, operator: matchesRegex, value: '^(a|a)*$'}]
                next: matched
          - {id: nomatch, type: text, text: "No match"}
      - {id: matched, title: Matched, blocks: [{id: matched-text, type: text, text: "Match"}]}
    start: {group: ask}
"""


def test_a_regular_expression_that_backtracks_is_stopped_by_its_time_limit() -> None:
    flow = flow_from_yaml(BACKTRACKING)
    first = start_session(flow)

    started = time.monotonic()
    turn = continue_session(flow, first.state, "a" * 28 + "!")
    took = time.monotonic() - started

    assert took < 2.0  # without a limit, this answer takes minutes
    assert stop_line(turn) == (
        'Group "Ask" › block "check": The chat stopped: the regular expression "^(a|a)*$" ran '
        "out of time on a text of 29 characters (it backtracks: see `segflow validate`); "
        "the limit is 0.05 seconds (SEGFLOW_REGEX_TIMEOUT)"
    )
    assert turn.state.variables["answer"] == "a" * 28 + "!"


def test_a_regular_expression_keeps_python_syntax_and_matches_within_the_limit() -> None:
    flow = flow_from_yaml(BACKTRACKING.replace("^(a|a)*$", r"^(?P<first>a)\w*(?<=a)$"))

    turns = [start_session(flow)]
    turns.append(continue_session(flow, turns[0].state, "abba"))

    assert said(turns[1]) == ["Match"]
    assert turns[1].state.status is ChatStatus.COMPLETED


def test_the_regular_expressions_of_a_turn_share_one_time_limit() -> None:
    # Each match takes a few milliseconds, below the limit; a loop runs it again and again.
    looping = BACKTRACKING.replace("^(a|a)*$", "^(a|aa)+$").replace(
        '{id: nomatch, type: text, text: "No match"}',
        "{id: nomatch, type: jump, group: ask, block: check}",
    )
    flow = flow_from_yaml(looping)
    first = start_session(flow)

    started = time.monotonic()
    turn = continue_session(flow, first.state, "a" * 20 + "!", limits=limits(regex_timeout=0.1))

    assert time.monotonic() - started < 2.0
    assert stop_line(turn).endswith("the limit is 0.1 seconds (SEGFLOW_REGEX_TIMEOUT)")
