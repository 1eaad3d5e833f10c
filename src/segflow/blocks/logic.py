"""Logic: set a variable, branch on a condition, jump to another group and return, link to a
group or another flow and come back."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, PrivateAttr, model_validator

from segflow.blocks.base import (
    BLOCK,
    END_PATH,
    EXPRESSION,
    GROUP,
    NEXT_BLOCK,
    TEMPLATE,
    VARIABLE,
    BlockOptions,
    BlockType,
    Exit,
    NextExit,
    Step,
)
from segflow.blocks.comparisons import Comparison, compare
from segflow.blocks.context import BlockContext
from segflow.blocks.expressions import (
    Expression,
    ExpressionError,
    TextTooLongError,
    parse_expression,
)
from segflow.blocks.patterns import PatternError
from segflow.blocks.typebot_comparisons import compare_as_typebot
from segflow.blocks.typebot_values import guessed, stored
from segflow.limits import LimitExceededError
from segflow.segment import fill, variable_name

_ONE_VARIABLE = re.compile(r"\s*\{\{\s*[^{}\s]+\s*\}\}\s*")


class SetVariable(BlockOptions):
    """Gives a variable a value: a text with {{variables}}, or a computed expression."""

    variable: str = Field(min_length=1, title="Variable", json_schema_extra=VARIABLE)
    value: str | None = Field(
        None,
        title="Value",
        description="A text with {{variables}}. Just {{a_variable}} copies its value as it is "
        "(a number stays a number).",
        json_schema_extra=TEMPLATE,
    )
    expression: str | None = Field(
        None,
        title="Expression",
        description="Computed: numbers, 'text', variables, + - * / %, comparisons, and/or/not, "
        "upper lower trim len round number text. E.g. round(price * 1.2, 2).",
        json_schema_extra=EXPRESSION,
    )
    chat_id: bool = Field(
        False,
        title="Chat ID",
        description="Set the variable to this chat's ID (what Typebot calls the Result ID).",
    )
    clear: bool = Field(
        False,
        title="Clear",
        description="Leave the variable without any value (what Typebot calls Empty).",
    )
    _parsed: Expression | None = PrivateAttr(None)

    @model_validator(mode="after")
    def _value_or_expression(self) -> SetVariable:
        kinds = (self.value is not None, self.expression is not None, self.chat_id, self.clear)
        if sum(kinds) == 0:
            raise ValueError("Value, Expression, Chat ID or Clear is required")
        if sum(kinds) > 1:
            raise ValueError("has more than one of Value, Expression, Chat ID and Clear: keep one")
        if self.expression is not None:
            try:
                self._parsed = parse_expression(self.expression)
            except ExpressionError as error:
                raise ValueError(f"Expression: {error.problem}") from None
        return self

    @property
    def parsed_expression(self) -> Expression | None:
        return self._parsed


class ConditionItem(BlockOptions):
    """One branch: passes when all (or any) of its comparisons pass."""

    id: str = Field("", title="ID")
    match: Literal["all", "any"] = Field(
        "all", title="Match", description="all: every comparison passes (AND); any: one (OR)."
    )
    comparisons: list[Comparison] = Field(min_length=1, title="Comparisons")
    next: NextExit = None

    def passes(self, chat: BlockContext) -> bool:
        if chat.semantics == "typebot":
            return self._passes_as_typebot(chat)
        results = (
            compare(
                chat.variables.get(variable_name(comparison.variable)),
                comparison.operator,
                fill(comparison.value, chat.variables),
                search=chat.matches,
            )
            for comparison in self.comparisons
        )
        return all(results) if self.match == "all" else any(results)

    def _passes_as_typebot(self, chat: BlockContext) -> bool:
        results = (
            compare_as_typebot(
                stored(chat.variables.get(variable_name(comparison.variable))),
                comparison.operator,
                _typebot_value(comparison.value, chat),
                search=chat.matches,
            )
            for comparison in self.comparisons
        )
        return all(results) if self.match == "all" else any(results)


def _typebot_value(template: str, chat: BlockContext) -> str | list[str | None] | None:
    """A comparison's value as Typebot reads it: one {{variable}} is that variable's value
    (a list stays a list); "null" and "undefined" are nothing; else the filled-in text."""
    if template in ("null", "undefined"):
        return None
    if _ONE_VARIABLE.fullmatch(template):
        return stored(chat.variables.get(variable_name(template)))
    return fill(template, chat.variables)


class Condition(BlockOptions):
    """Branches: the first item that passes wins; the block's own `next` is the Else exit."""

    items: list[ConditionItem] = Field(min_length=1, title="Conditions")

    def exits(self) -> list[tuple[str, Exit]]:
        return [
            (f"condition {number}", item.next)
            for number, item in enumerate(self.items, start=1)
            if item.next
        ]


class Jump(BlockOptions):
    """Goes to another group (or a block of it) right away."""

    group: str = Field(min_length=1, title="Group", json_schema_extra=GROUP)
    block: str | None = Field(
        None,
        title="Block",
        description="Start at this block of the group.",
        json_schema_extra=BLOCK,
    )

    @property
    def target(self) -> Exit:
        return Exit(group=self.group, block=self.block)

    def exits(self) -> list[tuple[str, Exit]]:
        return [("jump", self.target)]


class Return(BlockOptions):
    """Goes back to the block after the chat's last Jump; with no Jump to go back to, back
    after the Link to flow the chat is in, else on to its own exit."""


class Link(BlockOptions):
    """Runs a group of this flow or of another published flow, then comes back: when that
    path ends, the chat goes on at this block's exit, else at the next block of its group."""

    flow: str | None = Field(
        None,
        title="Flow",
        description="The ID (or other ID) of a published flow; empty: this flow. Its variables "
        "start with the values of same-named variables here.",
    )
    group: str | None = Field(
        None,
        title="Group",
        description="The group to run (its ID); empty: where the flow starts.",
    )
    block: str | None = Field(
        None, title="Block", description="Start at this block of the group (its ID)."
    )
    share_variables: bool = Field(
        True,
        title="Share variables back",
        description="On coming back from another flow, same-named variables here take the "
        "values they have there.",
    )

    @model_validator(mode="after")
    def _empty_is_none(self) -> Link:
        self.flow = (self.flow or "").strip() or None
        self.group = (self.group or "").strip() or None
        self.block = (self.block or "").strip() or None
        if self.block and not self.group:
            raise ValueError("Block needs a Group")
        return self

    @property
    def target(self) -> Exit | None:
        """The group (and block) it runs; None: the linked flow's start."""
        return Exit(group=self.group, block=self.block) if self.group else None

    def exits(self) -> list[tuple[str, Exit]]:
        return [("link", self.target)] if self.flow is None and self.target else []


def set_variable(options: SetVariable, chat: BlockContext) -> Step:
    if options.clear:
        chat.set_variable(options.variable, None)
        return None
    if options.chat_id:
        if chat.chat_id is None:
            chat.log("warning", f"This chat has no ID here; {options.variable} is left unchanged")
        else:
            chat.set_variable(options.variable, chat.chat_id)
        return None
    if options.value is not None:
        if _ONE_VARIABLE.fullmatch(options.value):
            chat.set_variable(options.variable, chat.variables.get(variable_name(options.value)))
        else:
            chat.set_variable(options.variable, fill(options.value, chat.variables))
        return None
    expression = options.parsed_expression
    assert expression is not None
    variables = chat.variables
    if chat.semantics == "typebot":  # Typebot reads "15" as 15 when it computes
        variables = {name: guessed(variables.get(name)) for name in expression.variables}
    try:
        value = expression.evaluate(variables, limits=chat.limits)
    except TextTooLongError as error:  # a value too large to keep: the chat stops here
        what = f'Set variable would make "{options.variable}" a text of {error.size:,} bytes'
        raise LimitExceededError(what, "max_variable_bytes", chat.limits) from None
    except ExpressionError as error:
        chat.log("error", f"{error}; {options.variable} is left unchanged", field="Expression")
        return None
    chat.set_variable(options.variable, value)
    return None


def check_condition(options: Condition, chat: BlockContext) -> Step:
    for number, item in enumerate(options.items, start=1):
        try:
            passed = item.passes(chat)
        except PatternError as error:
            chat.log("error", f"Condition {number}: the regular expression is invalid: {error}")
            continue
        if passed:
            if chat.semantics == "typebot":  # Typebot ends the path there
                return item.next or END_PATH
            return item.next or NEXT_BLOCK
    return None


def jump(options: Jump, chat: BlockContext) -> Step:
    chat.mark_return()
    return options.target


def go_back(options: Return, chat: BlockContext) -> Step:
    return chat.take_return()


def follow_link(options: Link, chat: BlockContext) -> Step:
    return chat.link(options.flow, options.target, share_back=options.share_variables)


SET_VARIABLE = BlockType(
    name="setVariable",
    title="Set variable",
    category="logic",
    options=SetVariable,
    run=set_variable,
)
CONDITION = BlockType(
    name="condition", title="Condition", category="logic", options=Condition, run=check_condition
)
JUMP = BlockType(name="jump", title="Jump", category="logic", options=Jump, run=jump)
RETURN = BlockType(name="return", title="Return", category="logic", options=Return, run=go_back)
LINK = BlockType(name="link", title="Link to flow", category="logic", options=Link, run=follow_link)
