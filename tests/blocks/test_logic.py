"""Set variable, Condition and Jump: how a flow computes and branches without asking."""

from __future__ import annotations

from typing import Any

import pytest

from segflow.blocks.comparisons import Operator, compare
from segflow.blocks.patterns import RegexTime
from segflow.limits import DEFAULT_LIMITS
from tests.flow.helpers import chat, flow_from_yaml, one_group, said


def test_set_variable_fills_a_template_or_copies_a_value_with_its_type() -> None:
    flow = one_group(
        {"id": "full", "type": "setVariable", "variable": "full", "value": "{{first}} {{last}}"},
        {"id": "copy", "type": "setVariable", "variable": "copy", "value": "{{seats}}"},
        variables=["first", "last", "full", "seats", "copy"],
    )

    (turn,) = chat(flow, prefilled={"first": "Ada", "last": "Lovelace", "seats": 3})

    assert turn.state.variables["full"] == "Ada Lovelace"
    assert turn.state.variables["copy"] == 3


def test_set_variable_computes_an_expression() -> None:
    flow = one_group(
        {
            "id": "total",
            "type": "setVariable",
            "variable": "total",
            "expression": "round(price * seats * 1.2, 2)",
        },
        {"id": "say", "type": "text", "text": "Total: {{total}}"},
        variables=["price", "seats", "total"],
    )

    (turn,) = chat(flow, prefilled={"price": 9.99, "seats": 3})

    assert said(turn) == ["Total: 35.96"]


def test_an_expression_that_fails_is_logged_and_leaves_the_variable_as_it_was() -> None:
    flow = one_group(
        {"id": "share", "type": "setVariable", "variable": "share", "expression": "total / people"},
        {"id": "say", "type": "text", "text": "Each pays {{share}}"},
        variables=["total", "people", "share"],
    )

    (turn,) = chat(flow, prefilled={"total": 10, "people": 0, "share": "?"})

    assert said(turn) == ["Each pays ?"]
    (log,) = turn.logs
    assert (log.status, log.group, log.block, log.field) == ("error", "Main", "share", "Expression")
    assert (
        log.description
        == "Expression 'total / people': cannot divide 10 by zero; share is left unchanged"
    )


CONDITION_FLOW = """
    name: Routing
    variables: [{name: plan}, {name: seats}, {name: email}]
    groups:
      - id: route
        title: Route
        blocks:
          - id: check
            type: condition
            items:
              - match: all
                comparisons:
                  - {variable: plan, operator: equals, value: Enterprise}
                  - {variable: seats, operator: greaterOrEqual, value: "100"}
                next: sales
              - match: any
                comparisons:
                  - {variable: email, operator: endsWith, value: "@example.com"}
                  - {variable: plan, operator: equals, value: internal}
              - comparisons: [{variable: plan, operator: isSet}]
                next: self-serve
            next: unknown
          - id: colleague
            type: text
            text: Hello colleague
      - id: sales
        title: Sales
        blocks: [{id: sales-text, type: text, text: Talk to sales}]
      - id: self-serve
        title: Self serve
        blocks: [{id: self-text, type: text, text: Sign up online}]
      - id: unknown
        title: Unknown
        blocks: [{id: unknown-text, type: text, text: "Which plan?"}]
"""


@pytest.mark.parametrize(
    ("variables", "answer"),
    [
        ({"plan": "enterprise", "seats": 250}, "Talk to sales"),  # all pass (text ignores case)
        ({"plan": "enterprise", "seats": "99"}, "Sign up online"),  # one fails: the next item
        ({"plan": "pro", "email": "ada@EXAMPLE.com"}, "Hello colleague"),  # no exit: next block
        ({"plan": "internal"}, "Hello colleague"),
        ({}, "Which plan?"),  # none passes: the block's own exit (Else)
    ],
)
def test_a_condition_takes_the_first_item_that_passes_else_its_own_exit(
    variables: dict[str, Any], answer: str
) -> None:
    (turn,) = chat(flow_from_yaml(CONDITION_FLOW), prefilled=variables)

    assert said(turn) == [answer]


@pytest.mark.parametrize(
    ("variable", "operator", "value", "passes"),
    [
        ("Pro", Operator.EQUALS, "pro", True),
        (10, Operator.EQUALS, "10.0", True),
        ("Pro", Operator.NOT_EQUALS, "Team", True),
        ("ada@example.com", Operator.CONTAINS, "EXAMPLE", True),
        (["red", "Blue"], Operator.CONTAINS, "blue", True),
        ("ada@example.com", Operator.NOT_CONTAINS, "gmail", True),
        ("12", Operator.GREATER_THAN, "9", True),  # as numbers, not as text
        ("abc", Operator.GREATER_THAN, "1", False),  # not a number: never greater
        (5, Operator.GREATER_OR_EQUAL, "5", True),
        (4, Operator.LESS_THAN, "4.5", True),
        (4, Operator.LESS_OR_EQUAL, "3", False),
        ("x", Operator.IS_SET, "", True),
        ("  ", Operator.IS_SET, "", False),
        (None, Operator.IS_EMPTY, "", True),
        ([], Operator.IS_EMPTY, "", True),
        ("Hello world", Operator.STARTS_WITH, "hello", True),
        ("report.PDF", Operator.ENDS_WITH, ".pdf", True),
        ("A-123", Operator.MATCHES_REGEX, r"^[A-Z]-\d+$", True),
        ("a-123", Operator.NOT_MATCHES_REGEX, r"^[A-Z]-\d+$", True),
    ],
)
def test_every_comparison_operator(
    variable: object, operator: Operator, value: str, passes: bool
) -> None:
    assert compare(variable, operator, value, search=RegexTime(DEFAULT_LIMITS).search) is passes


def test_a_jump_goes_to_another_group_or_a_block_inside_it() -> None:
    flow = flow_from_yaml(
        """
        name: Jumps
        groups:
          - id: start
            title: Start
            blocks:
              - {id: go, type: jump, group: later, block: second}
              - {id: skipped, type: text, text: never said}
          - id: later
            title: Later
            blocks:
              - {id: first, type: text, text: skipped too}
              - {id: second, type: text, text: landed here}
        """
    )

    (turn,) = chat(flow)

    assert said(turn) == ["landed here"]
    assert turn.ended


TYPEBOT_BRANCHES = """
    name: Typebot branches
    semantics: typebot
    variables: [{name: plan}]
    groups:
      - id: main
        title: Main
        blocks:
          - {id: call, type: link, group: check}
          - {id: after, type: text, text: "Back after the check."}
      - id: check
        title: Check
        blocks:
          - id: branch
            type: condition
            items:
              - comparisons: [{variable: plan, operator: equals, value: pro}]
            next: other
          - {id: skipped, type: text, text: "Only when no item passed."}
      - id: other
        title: Other
        blocks:
          - {id: else, type: text, text: "Not pro."}
"""


@pytest.mark.parametrize(
    ("plan", "messages"),
    [
        # An item that passes without an exit ends the path, as in Typebot: the link comes back.
        ("pro", ["Back after the check."]),
        ("team", ["Not pro.", "Back after the check."]),  # none passes: the Else exit
    ],
)
def test_with_typebot_rules_a_condition_item_without_exit_ends_the_path(
    plan: str, messages: list[str]
) -> None:
    (turn,) = chat(flow_from_yaml(TYPEBOT_BRANCHES), prefilled={"plan": plan})

    assert said(turn) == messages
