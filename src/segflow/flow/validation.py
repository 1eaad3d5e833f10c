"""A flow's checks beyond its shape: fields left blank or typed values that never parse, ids,
exits, variables, Segment accounts and the groups links to other flows go to (errors), and what
is worth a warning (regular expressions known to backtrack, links to flows not published yet)."""

from __future__ import annotations

import difflib
from collections import Counter
from collections.abc import Callable, Collection, Iterator

from segflow.blocks import Exit
from segflow.blocks.logic import Link
from segflow.blocks.references import exits_of, variable_uses
from segflow.blocks.segment import SegmentAccount
from segflow.blocks.slow_patterns import slow_patterns
from segflow.flow.block_checks import block_problems
from segflow.flow.model import Block, Flow
from segflow.flow.problems import FLOW, BlockAt, FlowProblem, GroupAt, group_place

LinkedFlows = Callable[[str], Flow | None]
"""The published flow a Link to flow block names (by ID or other ID); None: none is."""


def check_flow(
    flow: Flow,
    *,
    destinations: Collection[str] | None = None,
    linked: LinkedFlows | None = None,
) -> list[FlowProblem]:
    """Every problem of the flow's graph and variables; with `destinations` (the names of the
    Segment accounts that exist), also every Segment account that does not; with `linked`,
    also every link to a group that the published flow it names does not have."""
    return [
        *_fields(flow),
        *_duplicates(flow),
        *_start(flow),
        *_exits(flow),
        *_variables(flow),
        *(_accounts(flow, destinations) if destinations is not None else ()),
        *(_linked_groups(flow, linked) if linked is not None else ()),
    ]


def flow_warnings(flow: Flow, *, linked: LinkedFlows | None = None) -> list[FlowProblem]:
    """What a valid flow may still do wrong in chats: each one a warning, with its place. With
    `linked`, also the links to flows that are not published (yet)."""
    slow = [
        at.problem(slow.problem, field=slow.path, level="warning")
        for block, at in _blocks(flow)
        for slow in slow_patterns(block.options)
    ]
    unknown = list(_unknown_flows(flow, linked) if linked is not None else ())
    return slow + unknown


def _links_to_other_flows(flow: Flow) -> Iterator[tuple[Link, BlockAt]]:
    for block, at in _blocks(flow):
        options = block.options
        if isinstance(options, Link) and options.flow and options.flow not in flow.aliases:
            yield options, at


def _linked_groups(flow: Flow, linked: LinkedFlows) -> Iterator[FlowProblem]:
    for link, at in _links_to_other_flows(flow):
        target = linked(link.flow or "")
        if target is not None and link.group and target.group(link.group) is None:
            known = [group.id for group in target.groups]
            problem = (
                f'Link goes to group "{link.group}", which is not in flow "{target.name}"'
                + _guess(link.group, known)
            )
            yield at.problem(problem, field=("group",))


def _unknown_flows(flow: Flow, linked: LinkedFlows) -> Iterator[FlowProblem]:
    for link, at in _links_to_other_flows(flow):
        if linked(link.flow or "") is None:
            problem = (
                f'Link goes to flow "{link.flow}", which is not published (yet); until it is, '
                "chats go on past the link"
            )
            yield at.problem(problem, field=("flow",), level="warning")


def _blocks(flow: Flow) -> Iterator[tuple[Block, BlockAt]]:
    for group in flow.groups:
        group_at = GroupAt(group.id, group.shown_title)
        for position, block in enumerate(group.blocks, 1):
            yield block, BlockAt(group_at, block.id, position, block.title)


def _fields(flow: Flow) -> Iterator[FlowProblem]:
    for block, at in _blocks(flow):
        for path, problem in block_problems(block.options):
            yield at.problem(problem, field=path)


def _duplicates(flow: Flow) -> Iterator[FlowProblem]:
    group_ids = Counter(group.id for group in flow.groups)
    for group in flow.groups:
        if group_ids[group.id] > 1:
            problem = f'its ID "{group.id}" is used by {group_ids[group.id]} groups'
            yield GroupAt(group.id, group.shown_title).problem(problem)
    holders: dict[str, list[str]] = {}
    for block, at in _blocks(flow):
        holders.setdefault(block.id, []).append(at.group.title)
    for block_id, groups in holders.items():
        if len(groups) > 1:
            where = ", ".join(group_place(title) for title in dict.fromkeys(groups))
            problem = f'the block ID "{block_id}" is used {len(groups)} times (in {where})'
            yield FlowProblem(FLOW, problem + "; each block needs its own")
    names = Counter(variable.name for variable in flow.variables)
    for name, count in names.items():
        if count > 1:
            yield FlowProblem(FLOW, f'the variable "{name}" is listed {count} times')
    yield from _aliases(flow, set(names))


def _aliases(flow: Flow, names: set[str]) -> Iterator[FlowProblem]:
    """Each other name of a variable must say which variable it is, and each flow ID once."""
    holders: dict[str, list[str]] = {}
    for variable in flow.variables:
        for alias in dict.fromkeys(variable.aliases):
            if alias in names and alias != variable.name:
                problem = f'the other name "{alias}" of variable "{variable.name}" is the name '
                yield FlowProblem(FLOW, problem + "of another variable")
            holders.setdefault(alias, []).append(variable.name)
    for alias, variables in holders.items():
        if len(variables) > 1:
            both = " and ".join(f'"{name}"' for name in dict.fromkeys(variables))
            yield FlowProblem(FLOW, f'the variables {both} share the other name "{alias}"')
    for alias, count in Counter(flow.aliases).items():
        if count > 1:
            yield FlowProblem(FLOW, f'the other ID "{alias}" is listed {count} times')


def _start(flow: Flow) -> Iterator[FlowProblem]:
    if flow.start is not None and (problem := _missing_target(flow, flow.entry)):
        yield FlowProblem(FLOW, f"Start {problem}")


def _exits(flow: Flow) -> Iterator[FlowProblem]:
    for block, at in _blocks(flow):
        exits = [("exit", block.next)] if block.next else []
        for label, target in [*exits, *exits_of(block.options)]:
            if problem := _missing_target(flow, target):
                yield at.problem(f"{label[:1].upper()}{label[1:]} {problem}")


def _missing_target(flow: Flow, target: Exit) -> str | None:
    """What is wrong with an exit's target, or None when it exists."""
    group = flow.group(target.group)
    if group is None:
        known = [group.id for group in flow.groups]
        return f'goes to group "{target.group}", which does not exist' + _guess(target.group, known)
    if target.block is not None and target.block not in (block.id for block in group.blocks):
        known = [block.id for block in group.blocks]
        return (
            f'goes to block "{target.block}", which is not in group "{group.shown_title}"'
            + _guess(target.block, known)
        )
    return None


def _variables(flow: Flow) -> Iterator[FlowProblem]:
    defined = {variable.name for variable in flow.variables}
    for block, at in _blocks(flow):
        for use in variable_uses(block.options):
            if use.name not in defined:
                yield at.problem(
                    f'the variable "{use.name}" ({use.field}) is not in the flow\'s variables'
                    + _guess(use.name, defined),
                )


def _accounts(flow: Flow, destinations: Collection[str]) -> Iterator[FlowProblem]:
    known = sorted(destinations)
    listed = ", ".join(known) or "none yet: add a Segment account first"
    account = flow.segment.destination
    if account and account not in destinations:
        yield FlowProblem(
            FLOW, f'Segment account "{account}" does not exist (the accounts are {listed})'
        )
    for block, at in _blocks(flow):
        if isinstance(block.options, SegmentAccount):
            name = block.options.destination.strip()
            if name and name not in destinations:
                problem = f'Segment account "{name}" does not exist (the accounts are {listed})'
                yield at.problem(problem)


def _guess(wrong: str, known: Collection[str]) -> str:
    close = difflib.get_close_matches(wrong, list(known), n=1)
    return f' (did you mean "{close[0]}"?)' if close else ""
