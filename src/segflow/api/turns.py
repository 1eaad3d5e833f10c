"""Running turns for the API's routes: where their blocking work runs, and a chat's start."""

from __future__ import annotations

import asyncio
import os
import threading
import time
import weakref
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar

from segflow.chat import Chats, ChatTurn
from segflow.flow import TurnLog
from segflow.turn_queue import TurnQueue

Result = TypeVar("Result")


class TurnRunner:
    """Runs a turn (or a session read) on one of `threads` worker threads, never on the event
    loop. `at_once` of them run turns at the same time, and more while a turn waits on a web
    service or runs long (see `segflow.turn_queue`): a long turn holds up no other request
    while threads remain. `on_turn` is told each turn's seconds (for metrics), waiting
    for a thread included.

    The threads take work from one queue and hand each result back to the waiting request's
    event loop: about a fifth of the CPU of `run_in_executor`'s futures, per turn. They start
    with the first turn of each process, so that a forked worker process has its own.
    """

    def __init__(
        self,
        threads: int,
        *,
        at_once: int | None = None,
        on_turn: Callable[[float], None] | None = None,
    ) -> None:
        self._threads = threads
        self._at_once = min(at_once or threads, threads)
        self._on_turn = on_turn
        self._work: TurnQueue[_Work[Any]]  # made by `_start`, with the threads serving it
        self._started_in: int | None = None  # the process whose threads serve the queue
        self._starting = threading.Lock()

    def __call__(self, work: Callable[[], Result]) -> Awaitable[Result]:
        if self._started_in != os.getpid():
            self._start()
        loop = asyncio.get_running_loop()
        done: asyncio.Future[Result] = loop.create_future()
        self._work.put((work, loop, done))
        return done

    async def turn(self, work: Callable[[], Result]) -> Result:
        """Runs a chat turn: a start, or an answer."""
        started = time.perf_counter()
        result = await self(work)
        if self._on_turn is not None:
            self._on_turn(time.perf_counter() - started)
        return result

    def _start(self) -> None:
        with self._starting:
            if self._started_in == os.getpid():
                return
            # A queue of this process's own: a forked copy of its parent's holds the parent's
            # turns in progress, which no thread here would ever finish.
            self._work = TurnQueue(self._at_once)
            for number in range(self._threads):
                name = f"segflow-turn-{number}"
                threading.Thread(target=_serve, args=(self._work,), name=name, daemon=True).start()
            # The threads end once this runner is gone (an app of the tests), or at exit.
            weakref.finalize(self, _stop, self._work, self._threads)
            self._started_in = os.getpid()


_Work = tuple[Callable[[], Result], asyncio.AbstractEventLoop, "asyncio.Future[Result]"]


def _serve(work_queue: TurnQueue[_Work[Any]]) -> None:
    """A turn thread's life: runs each work it takes from the queue, until a None."""
    while (taken := work_queue.take()) is not None:
        work, loop, done = taken
        try:
            result = work()
        except BaseException as error:  # the request that waits for it answers it
            _hand_back(loop, _fail, done, error)
        else:
            _hand_back(loop, _succeed, done, result)


def _hand_back(
    loop: asyncio.AbstractEventLoop,
    settle: Callable[[asyncio.Future[Any], Any], None],
    done: asyncio.Future[Any],
    outcome: Any,
) -> None:
    if not loop.is_closed():  # a server that stopped meanwhile has no request waiting
        loop.call_soon_threadsafe(settle, done, outcome)


def _stop(work_queue: TurnQueue[_Work[Any]], threads: int) -> None:
    for _ in range(threads):
        work_queue.put(None)


def _succeed(done: asyncio.Future[Result], result: Result) -> None:
    if not done.cancelled():  # the request went away meanwhile
        done.set_result(result)


def _fail(done: asyncio.Future[Any], error: BaseException) -> None:
    if not done.cancelled():
        done.set_exception(error)


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
