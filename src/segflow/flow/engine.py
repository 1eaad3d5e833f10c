"""Running a flow, one turn at a time. Pure: no database, no network, no clock but the
messages' timestamps; the caller saves the new state and queues the Segment messages. An HTTP
request block reaches the network only through the `HttpClient` the caller passes in.

A turn runs blocks from where the chat is until an input waits for an answer (or the flow
ends): bubbles add messages, logic moves the chat on, Segment blocks hand over messages. A
block that fails (a Segment message that cannot be built) is logged and the chat goes on.

A Link to flow block runs a group of this flow or of another published flow (reached through
the `FlowLinks` the caller gives) and, when that path ends, the chat comes back after the link;
the state keeps a stack of those links (`LinkFrame`) and the version of the flow it is in.

A turn runs within `Limits` (blocks, messages, the size of each variable and of them all, the
time of regular expressions): past one, the chat stops there with a log naming the limit and
its setting, and keeps the variables as they were before the step that went past it.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Mapping
from functools import partial
from typing import Any

import orjson
from pydantic import JsonValue

from segflow.blocks import END_PATH, NEXT_BLOCK, BotMessage, Exit, LogStatus, Retry, Semantics, Step
from segflow.blocks.formatting import format_text
from segflow.blocks.patterns import RegexTime
from segflow.blocks.web import NO_HTTP, HttpClient, HttpRequest, HttpResponse
from segflow.errors import SegflowError, SegmentActionError
from segflow.flow.links import FlowLinks, carried_in, shared_back
from segflow.flow.model import Block, Flow, Group
from segflow.flow.session import ChatEndedError, ChatStatus, LinkFrame, SessionState
from segflow.flow.turn import AwaitedInput, QueuedMessage, Turn, TurnLog
from segflow.limits import DEFAULT_LIMITS, LimitExceededError, Limits
from segflow.segment import (
    KeyValue,
    PageView,
    SegmentAction,
    SegmentMessage,
    TrackEvent,
    as_text,
    build_message,
    fill,
)


def start_session(
    flow: Flow,
    *,
    prefilled: Mapping[str, object] | None = None,
    anonymous_id: str | None = None,
    user_id: str | None = None,
    context: Mapping[str, JsonValue] | None = None,
    remembered: Mapping[str, JsonValue] | None = None,
    chat_id: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
    rng: random.Random | None = None,
    http: HttpClient = NO_HTTP,
    links: FlowLinks | None = None,
) -> Turn:
    """A new chat's first turn.

    `anonymous_id` joins the chat to a visitor Segment knows already (else a new UUID);
    `user_id` starts it identified. `context` is the Segment context every message of the
    chat carries (the visitor's page, browser, locale...). `remembered` holds the variables of
    an earlier chat of the same visitor, which this one starts with; `prefilled` sets
    variables last, by name or by one of a variable's aliases. `chat_id` is the chat's ID,
    which Set variable's "Chat ID" gives. `rng` is the random source of A/B tests (seed one
    to replay a chat); the system's by default. `http` sends the requests of HTTP request
    blocks; without it, each is refused (and the block takes its failure path). `links` finds
    the published flows Link to flow blocks lead to (without it, only links within the flow
    are followed).
    """
    state = SessionState(
        anonymous_id=anonymous_id or str(uuid.uuid4()),
        user_id=user_id or None,
        variables=flow.initial_variables(),
        context=dict(context or {}),
        chat_id=chat_id,
    )
    turn = _TurnRun(flow, state, limits, rng, http, links)
    gone = [name for name in remembered or {} if name not in state.variables]
    if gone:
        names = ", ".join(f'"{name}"' for name in gone)
        turn.log("info", f"The earlier chat's variables {names} are not in the flow any more")
    given_values: list[tuple[str, object]] = [
        (name, earlier)
        for name, earlier in (remembered or {}).items()
        if name in state.variables and earlier is not None
    ]
    for given, value in (prefilled or {}).items():
        if (variable := flow.variable_named(given)) is not None:
            given_values.append((variable, value))
        else:
            turn.log("warning", f'Prefilled variable "{given}" is not in the flow; it is ignored')
    for name, value in given_values:
        try:
            turn.set_variable(name, value)
        except LimitExceededError as error:
            turn.log("warning", f"{error}; it is ignored")
    if flow.segment.auto_track.flow_events:
        turn.track_flow("Flow Started")
    turn.go(flow.entry)
    return turn.result()


def continue_session(
    flow: Flow,
    state: SessionState,
    answer: str,
    *,
    limits: Limits = DEFAULT_LIMITS,
    rng: random.Random | None = None,
    http: HttpClient = NO_HTTP,
    links: FlowLinks | None = None,
) -> Turn:
    """The turn that the person's `answer` to the awaited input starts. `flow` is the flow
    the chat started on; `links` is needed when a link took the chat into another flow.

    Raises ChatEndedError when the chat is over.
    """
    turn = _TurnRun(flow, state, limits, rng, http, links)
    placed = turn.flow.locate(state.waiting_for) if state.waiting_for else None
    if state.status is not ChatStatus.ACTIVE or placed is None:
        raise ChatEndedError(state.status)
    group, index = placed
    turn.answer(group, index, answer)
    return turn.result()


def awaited_input(
    flow: Flow, state: SessionState, links: FlowLinks | None = None
) -> AwaitedInput | None:
    """The input a chat waits on, as its last turn showed it (in the flow a link took it into,
    if one did: `links` finds that flow)."""
    flow = _current_flow(flow, state, links)
    placed = flow.locate(state.waiting_for) if state.waiting_for else None
    if placed is None:
        return None
    group, index = placed
    return _awaited(group.blocks[index], state.variables)


def _current_flow(home: Flow, state: SessionState, links: FlowLinks | None) -> Flow:
    """The flow the chat is in: the one it started on, unless a link took it into another."""
    return _flow_at(home, state.flow_version, links)


def _flow_at(home: Flow, version: int | None, links: FlowLinks | None) -> Flow:
    if version is None:
        return home
    if links is None:
        raise SegflowError(
            "This chat is inside a linked flow: going on needs the published flows (FlowLinks)"
        )
    return links.version(version).flow


class _TurnRun:
    """One turn in progress; it is the `BlockContext` the turn's blocks run with."""

    def __init__(
        self,
        home: Flow,
        state: SessionState,
        limits: Limits,
        rng: random.Random | None,
        http: HttpClient,
        links: FlowLinks | None,
    ) -> None:
        self._home = home
        self._links = links
        self.flow = _current_flow(home, state, links)  # where the chat is: a link may change it
        self._flow_version = state.flow_version
        self._frames = list(state.links)
        self._limits = limits
        self._http = http
        self._rng = rng  # made on first use (an A/B test): seeding one reads os.urandom
        self._regex_time = RegexTime(limits)
        self._variables: dict[str, Any] = dict(state.variables)
        # Each variable's bytes in the saved state, "name":value, so a turn never re-measures all.
        self._sizes = {name: _entry_size(name, value) for name, value in self._variables.items()}
        # The variables the flows that linked into another keep for coming back count too.
        self._kept_bytes = sum(_json_size(f.variables) for f in self._frames if f.variables)
        self._anonymous_id = state.anonymous_id
        self._user_id = state.user_id
        self._context = state.context
        self._chat_id = state.chat_id
        self._return_to = state.return_to
        self.messages: list[BotMessage] = []
        self.logs: list[TurnLog] = []
        self._logged: set[TurnLog] = set()
        self.segment: list[QueuedMessage] = []
        self.waiting_for: Block | None = None
        self.status = ChatStatus.ACTIVE
        self.place: tuple[Group, Block] | None = None  # the running block, for logs
        self.blocks_run = 0

    # -- BlockContext ----------------------------------------------------------------------

    @property
    def variables(self) -> Mapping[str, object]:
        return self._variables

    @property
    def anonymous_id(self) -> str:
        return self._anonymous_id

    @property
    def user_id(self) -> str | None:
        return self._user_id

    @property
    def chat_id(self) -> str | None:
        return self._chat_id

    @property
    def segment_context(self) -> Mapping[str, JsonValue]:
        return self._context

    @property
    def limits(self) -> Limits:
        return self._limits

    @property
    def semantics(self) -> Semantics:
        return self.flow.semantics

    def random(self) -> float:
        if self._rng is None:
            self._rng = random.Random()
        return self._rng.random()

    def set_variable(self, name: str, value: object) -> None:
        json_types = (str, int, float, bool, list, dict, type(None))
        value = value if isinstance(value, json_types) else as_text(value)
        size = _json_size(value)
        what = self.place[1].title if self.place else "Prefilled variables"
        if size > self._limits.max_variable_bytes:
            made = f'{what} would make "{name}" a value of {size:,} bytes'
            raise LimitExceededError(made, "max_variable_bytes", self._limits)
        sizes = {**self._sizes, name: _entry_size(name, value, size)}
        self.check_session_size(what, _variables_size(sizes))
        self._variables[name] = value
        self._sizes = sizes

    def matches(self, pattern: str, text: str) -> bool:
        return self._regex_time.search(pattern, text)

    def say(self, message: BotMessage) -> None:
        if len(self.messages) >= self._limits.max_messages_per_turn:
            what = f"it would say more than {len(self.messages):,} messages in one turn"
            raise LimitExceededError(what, "max_messages_per_turn", self._limits)
        self.messages.append(message)

    def log(self, status: LogStatus, description: str, *, field: str | None = None) -> None:
        group, block = self.where()
        entry = TurnLog(
            status=status,
            description=description,
            flow=self.linked_name(),
            group=group,
            block=block,
            field=field,
        )
        if entry not in self._logged:  # a loop repeats the same log: once says it
            self._logged.add(entry)
            self.logs.append(entry)

    def queue(self, message: SegmentMessage, destination: str | None) -> None:
        group, block = self.where()
        account = destination or self.flow.segment.destination
        self.segment.append(
            QueuedMessage(message, account, group=group, block=block, flow=self.linked_name())
        )

    def remember_user(self, user_id: str) -> None:
        self._user_id = user_id

    def mark_return(self) -> None:
        assert self.place is not None  # only a running block marks
        group, block = self.place
        index = group.blocks.index(block)
        if index + 1 < len(group.blocks):
            self._return_to = Exit(group=group.id, block=group.blocks[index + 1].id)
        elif block.next is not None:  # the last block: where its own exit leads
            self._return_to = block.next

    def take_return(self) -> Exit | None:
        target, self._return_to = self._return_to, None
        if target is None and self._frames:  # the linked path ends here: back after the link
            return self.end_path()
        return target

    def send_http(self, request: HttpRequest) -> HttpResponse:
        return self._http.send(request)

    def link(self, flow: str | None, target: Exit | None, *, share_back: bool) -> Exit | None:
        assert self.place is not None  # only a running block links
        here, block = self.place
        found = self.linked_flow(flow)
        if found is None:
            return None
        linked, version = found
        entry = target or linked.entry
        if linked.group(entry.group) is None:
            self.log(
                "error",
                f'The link goes to group "{entry.group}", which is not in flow "{linked.name}"; '
                "the chat goes on past the link",
                field="Group",
            )
            return None
        other_flow = linked is not self.flow
        back_to = block.next or _next_in_group(here, block)
        return_to, self._return_to = self._return_to, None  # a Return there: its own Jumps
        if back_to is None and not other_flow:
            # Nothing to come back to here: the linked path just takes over, so a menu that
            # links back to itself at its end loops without piling up links.
            return entry
        if len(self._frames) >= self._limits.max_link_depth:
            what = (
                f"it would be inside more than {len(self._frames):,} links at once (a linked "
                "path links again before it ends; the loop passes through here)"
            )
            raise LimitExceededError(what, "max_link_depth", self._limits)
        frame = LinkFrame(
            back_to=back_to,
            flow_version=self._flow_version,
            variables=dict(self._variables) if other_flow else None,
            share_back=share_back,
            return_to=return_to,
        )
        if other_flow:
            kept = [self._variables, *(f.variables for f in reversed(self._frames) if f.variables)]
            carried = carried_in(linked, self.flow, self._variables, kept)
            self._kept_bytes += _json_size(frame.variables)  # past the limit, the chat stops
            self.check_session_size(f'Link to flow "{linked.name}"', _json_size(carried))
            self.replace_variables(carried)
            self.flow, self._flow_version = linked, version
        self._frames.append(frame)
        return entry

    def linked_flow(self, reference: str | None) -> tuple[Flow, int | None] | None:
        """The flow a link leads to and its version (None: the chat's own); None when it
        cannot be followed, which the log says."""
        if not reference or reference in self.flow.aliases:
            return self.flow, self._flow_version
        if self._links is None:
            self.log(
                "error",
                f'Flow "{reference}" cannot be reached from here: links to other flows are '
                "followed in chats of published flows; the chat goes on past the link",
                field="Flow",
            )
            return None
        try:
            found = self._links.latest(reference)
        except SegflowError as error:
            self.log("warning", f"{error}; the chat goes on past the link", field="Flow")
            return None
        home = self._links.home
        here = home if self._flow_version is None else self._links.version(self._flow_version)
        if found.flow_id == here.flow_id:
            return self.flow, self._flow_version
        if found.id == home.id:
            return home.flow, None
        return found.flow, found.id

    def end_path(self) -> Exit | None:
        """Where the chat goes once a path ends: back after the latest link that has
        somewhere to go on to; with no such link, the chat is complete."""
        while self._frames:
            frame = self._frames.pop()
            if frame.variables is not None:
                self._kept_bytes -= _json_size(frame.variables)
                variables = frame.variables
                if frame.share_back:
                    variables = shared_back(variables, self.flow, self._variables)
                self.replace_variables(variables)
                self._flow_version = frame.flow_version
                self.flow = _flow_at(self._home, frame.flow_version, self._links)
            self._return_to = frame.return_to
            if frame.back_to is not None:
                return frame.back_to
        self.complete()
        return None

    def replace_variables(self, variables: Mapping[str, JsonValue]) -> None:
        self._variables = dict(variables)
        self._sizes = {name: _entry_size(name, value) for name, value in self._variables.items()}

    def check_session_size(self, what: str, variables_size: int) -> None:
        if (total := variables_size + self._kept_bytes) > self._limits.max_session_bytes:
            kept = " (with those kept for coming back from links)" if self._kept_bytes else ""
            made = f"{what} would make the chat's variables {total:,} bytes in all{kept}"
            raise LimitExceededError(made, "max_session_bytes", self._limits)

    def linked_name(self) -> str | None:
        """The name of the flow a link took the chat into, for logs; None in its own flow."""
        return self.flow.name if self._flow_version is not None else None

    def where(self) -> tuple[str | None, str | None]:
        """The running block's group title and ID, for logs (None, None between blocks)."""
        if self.place is None:
            return None, None
        group, block = self.place
        return group.shown_title, block.id

    # -- walking the flow ------------------------------------------------------------------

    def go(self, target: Exit) -> None:
        """Enters the exit's group and runs blocks until an input waits or the chat ends."""
        while True:
            group = self.flow.group(target.group)
            if group is None:  # a checked flow has none; a flow made in code might
                self.log("error", f'An exit goes to group "{target.group}", which does not exist')
                self.complete()
                return
            self.enter(group)
            index = next((i for i, block in enumerate(group.blocks) if block.id == target.block), 0)
            next_target = self.walk(group, index)
            if next_target is None:
                return
            target = next_target

    def walk(self, group: Group, index: int) -> Exit | None:
        """Runs the group's blocks from `index`; returns the exit that leaves the group, or
        None when the turn is over (an input waits, or the chat ended)."""
        while index < len(group.blocks):
            block = group.blocks[index]
            if block.kind.is_input:
                self.wait_for(group, block)
                return None
            if self.blocks_run >= self._limits.max_blocks_per_turn:
                self.stop_looping(group, block)
                return None
            self.blocks_run += 1
            step = self.run(group, block)
            if self.status is not ChatStatus.ACTIVE:  # stopped, or a Return ended the chat
                return None
            if step is END_PATH:
                return self.end_path()
            target = _follow(step, block)
            if target is not None:
                return target
            index += 1
        return self.end_path()

    def run(self, group: Group, block: Block) -> Step:
        self.place = (group, block)
        run = block.kind.run
        assert run is not None  # every block type but inputs has one
        try:
            return run(block.options, self)
        except LimitExceededError as error:
            self.stop(error)
            return None
        except SegflowError as error:
            field = error.field if isinstance(error, SegmentActionError) else None
            self.log("error", str(error), field=field)
            return None
        finally:
            self.place = None

    def answer(self, group: Group, index: int, text: str) -> None:
        block = group.blocks[index]
        answer = block.kind.answer
        assert answer is not None  # inputs have one
        self.place = (group, block)
        try:
            result = answer(block.options, text, self)
            if isinstance(result, Retry):
                self.say(format_text(result.message, self._variables))
                self.waiting_for = block
                return
        except LimitExceededError as error:
            self.stop(error)
            return
        finally:
            self.place = None
        target = _follow(result, block) or self.walk(group, index + 1)
        if target is not None:
            self.go(target)

    def wait_for(self, group: Group, block: Block) -> None:
        if block.kind.run is not None:
            self.run(group, block)
        if self.status is ChatStatus.ACTIVE:
            self.waiting_for = block

    def enter(self, group: Group) -> None:
        if self.flow.segment.auto_track.page_views:
            page = partial(PageView, name=group.shown_title, category=self.flow.name)
            self.auto_track(self.flow.auto_action(f"group {group.id}", page))

    def complete(self) -> None:
        self.status = ChatStatus.COMPLETED
        if self.flow.segment.auto_track.flow_events:
            self.track_flow("Flow Completed")

    def stop_looping(self, group: Group, block: Block) -> None:
        self.place = (group, block)
        what = (
            f"it ran {self.blocks_run:,} blocks without asking anything (exits or jumps loop "
            "back without an input; the loop passes through here)"
        )
        self.stop(LimitExceededError(what, "max_blocks_per_turn", self._limits))
        self.place = None

    def stop(self, error: LimitExceededError) -> None:
        """Ends the chat where the running block went past a limit; what it kept so far stays."""
        self.log("error", f"The chat stopped: {error}")
        self.status = ChatStatus.STOPPED

    # -- automatic tracking ----------------------------------------------------------------

    def track_flow(self, event: str) -> None:
        flow = [KeyValue(key="flow", value=self.flow.name)]
        track = partial(TrackEvent, event_name=event, user_id="", properties=flow)
        self.auto_track(self.flow.auto_action(f"event {event}", track))

    def auto_track(self, action: SegmentAction) -> None:
        try:
            message = build_message(
                action,
                self._variables,
                anonymous_id=self._anonymous_id,
                user_id=self._user_id,
                context=self._context,
                anonymous_visitor=True,
            )
        except SegmentActionError as error:
            self.log("error", f"Automatic tracking: {error}", field=error.field)
            return
        self.queue(message, None)

    def result(self) -> Turn:
        waiting = self.waiting_for if self.status is ChatStatus.ACTIVE else None
        state = SessionState(
            anonymous_id=self._anonymous_id,
            user_id=self._user_id,
            variables=self._variables,
            context=self._context,
            waiting_for=waiting.id if waiting else None,
            return_to=self._return_to,
            flow_version=self._flow_version,
            links=self._frames,
            chat_id=self._chat_id,
            status=self.status,
        )
        return Turn(
            state=state,
            messages=self.messages,
            input=_awaited(waiting, self._variables) if waiting else None,
            logs=self.logs,
            segment=self.segment,
        )


def _json_size(value: object) -> int:
    """Bytes of the value as the chat's saved state writes it (JSON)."""
    try:
        return len(orjson.dumps(value, default=str, option=orjson.OPT_NON_STR_KEYS))
    except orjson.JSONEncodeError:  # an integer wider than 64 bits: as many bytes as digits
        return len(str(value))


def _entry_size(name: str, value: object, size: int | None = None) -> int:
    """Bytes of `"name":value` in a JSON object."""
    return len(orjson.dumps(name)) + 1 + (_json_size(value) if size is None else size)


def _variables_size(entries: Mapping[str, int]) -> int:
    """Bytes of the variables as one JSON object: {"name":value,...}."""
    return 2 + sum(entries.values()) + max(len(entries) - 1, 0)


def _next_in_group(group: Group, block: Block) -> Exit | None:
    index = group.blocks.index(block)
    if index + 1 < len(group.blocks):
        return Exit(group=group.id, block=group.blocks[index + 1].id)
    return None


def _follow(step: Step, block: Block) -> Exit | None:
    """The exit a block's result leads to; None: the next block of the group."""
    if step is NEXT_BLOCK:
        return None
    return step if isinstance(step, Exit) else block.next


def _awaited(block: Block, variables: Mapping[str, object]) -> AwaitedInput:
    options = _filled(block.json_options(), variables)  # a copy: the block's stay as they are
    return AwaitedInput(block_id=block.id, type=block.type, options=options)


def _filled(value: Any, variables: Mapping[str, object]) -> Any:
    if isinstance(value, str):
        return fill(value, variables)
    if isinstance(value, list):
        return [_filled(item, variables) for item in value]
    if isinstance(value, dict):
        return {key: _filled(item, variables) for key, item in value.items()}
    return value
