"""Running turns for the API's routes: where their blocking work runs, and a chat's start."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from segflow.chat import Chats, ChatTurn
from segflow.flow import TurnLog

Result = TypeVar("Result")


class TurnRunner:
    """Runs a turn (or a session read) on one of `threads` worker threads (more wait for one):
    never on the event loop, so a long turn holds up no other request. `on_turn` is told each
    turn's seconds (for metrics), waiting for a thread included."""

    def __init__(self, threads: int, *, on_turn: Callable[[float], None] | None = None) -> None:
        self._threads = ThreadPoolExecutor(threads, thread_name_prefix="segflow-turn")
        self._on_turn = on_turn

    async def __call__(self, work: Callable[[], Result]) -> Result:
        # asyncio's own hand-over: about a third of the CPU of anyio.to_thread's, per turn
        return await asyncio.get_running_loop().run_in_executor(self._threads, work)

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
