"""Running turns for the API's routes: where their blocking work runs, and a chat's start."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import anyio.to_thread
from anyio import CapacityLimiter

from segflow.chat import Chats, ChatTurn
from segflow.flow import TurnLog

Result = TypeVar("Result")


class TurnRunner:
    """Runs a turn (or a session read) on a worker thread, at most `limiter`'s tokens at
    once: never on the event loop, so a long turn holds up no other request. `on_turn` is
    told each turn's seconds (for metrics), waiting for a thread included."""

    def __init__(
        self, limiter: CapacityLimiter, *, on_turn: Callable[[float], None] | None = None
    ) -> None:
        self._limiter = limiter
        self._on_turn = on_turn

    async def __call__(self, work: Callable[[], Result]) -> Result:
        return await anyio.to_thread.run_sync(work, limiter=self._limiter)

    async def turn(self, work: Callable[[], Result]) -> Result:
        """Runs a chat turn: a start, or an answer."""
        started = time.perf_counter()
        result = await self(work)
        if self._on_turn is not None:
            self._on_turn(time.perf_counter() - started)
        return result


def start_turns(
    chats: Chats,
    flow_id: str,
    prefilled: Mapping[str, object],
    message: str | None,
    **start: Any,
) -> tuple[list[ChatTurn], list[TurnLog]]:
    """A new chat's first turn and, with `message`, the turn that answers its first input at
    once; with logs of the request's own (a `message` the chat never asked for)."""
    turns = [chats.start_chat(flow_id, prefilled, **start)]
    if message is None:
        return turns, []
    if turns[0].input is None:
        unused = "The chat ended before asking anything, so `message` was not used"
        return turns, [TurnLog(status="warning", description=unused)]
    turns.append(chats.continue_chat(turns[0].session.id, message))
    return turns, []
