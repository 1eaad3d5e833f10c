"""Links between flows, as the engine sees them: the published flows a chat's Link to flow
blocks lead to (the chat service gives it a `FlowLinks` built on its saved flows), and how
variables cross from one flow to the other by name."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Protocol

from pydantic import JsonValue

from segflow.flow.model import Flow


class PublishedVersion(Protocol):
    """One published version of a flow."""

    @property
    def id(self) -> int:
        """The version's ID, which a chat's state keeps to come back to the same version."""
        ...

    @property
    def flow_id(self) -> str: ...

    @property
    def flow(self) -> Flow: ...


class FlowLinks(Protocol):
    """The published flows one chat may link to."""

    @property
    def home(self) -> PublishedVersion:
        """The version the chat started on."""
        ...

    def latest(self, flow: str) -> PublishedVersion:
        """The latest published version of the flow with this ID (or other ID); raises a
        SegflowError saying why there is none (no such flow, not published yet)."""
        ...

    def version(self, version_id: int) -> PublishedVersion:
        """A version by its ID: a chat inside a linked flow stays on the version it entered."""
        ...


def carried_in(
    linked: Flow,
    current: Flow,
    variables: Mapping[str, JsonValue],
    kept: Iterable[Mapping[str, JsonValue]],
) -> dict[str, JsonValue]:
    """The linked flow's variables as the chat enters it: each takes the value of the variable
    of the same name (or other name) in the flow it comes from, else in the flows that linked
    there (the latest first), else its own initial value."""
    carried = linked.initial_variables()
    older = list(kept)
    for name in carried:
        source = current.variable_named(name)
        if source is not None and source in variables:
            carried[name] = variables[source]
            continue
        holder = next((saved for saved in older if name in saved), None)
        if holder is not None:
            carried[name] = holder[name]
    return carried


def shared_back(
    caller: Mapping[str, JsonValue], linked: Flow, variables: Mapping[str, JsonValue]
) -> dict[str, JsonValue]:
    """The linking flow's variables on coming back: each takes the value the linked flow's
    variable of the same name (or other name) ended with, unless that one is empty."""
    back = dict(caller)
    for name in back:
        source = linked.variable_named(name)
        if source is not None and variables.get(source) is not None:
            back[name] = variables[source]
    return back
