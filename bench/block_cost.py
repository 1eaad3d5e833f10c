"""Segment block benchmark: the block's whole cost in a chat turn, next to the official `track()`.

A Segment block costs a turn what it adds to it: building its message (`build_message`, as the
block calls it: the chat's anonymous ID and visitor context) and saving it with the turn (as a
row of the outbox, written with the turn's other writes: on SQLite in its transaction, the
extra work of its COMMIT included; on PostgreSQL in its one statement). So each turn is run
three times, the three taking turns in one process on one database: without Segment, with N
Segment blocks, and with N calls of the official segment-analytics-python's `track()` (its
consumer thread stopped) at the same place. Each turn is an answer to one chat of the example
flow, saved as a chat turn saves it (`chat.saving`: its chat's row, its line of the transcript,
its messages), timed from taking its pooled connection to the end of its save. A block's cost
is its turn's time less the time of the turn without Segment that ran beside it, and so is
`track()`'s. Turns of 1, 3 and 10 messages; the event is the one of bench/delivery.py.

The block's cost is then split in two: building its messages, timed inside the turn (a
message built in a loop of its own costs less: its code and data stay in the processor's
caches), and saving them, the rest. On SQLite the benchmark also counts the pages each turn's
COMMIT writes to the write-ahead log, with and without Segment. Last, it times one
`build_message()` and one `track()` alone, one call after another and right after the thread
has slept, as a turn's thread does while it waits for its turn or for PostgreSQL's answer.

    python bench/block_cost.py                 # SQLite (WAL) in a temporary folder
    python bench/block_cost.py --database-url postgresql://postgres@127.0.0.1:5432/postgres

With --database-url, the URL names a PostgreSQL server and a database to connect to there;
the benchmark creates its own database on that server and drops it when done.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path
from typing import Any

from delivery import (
    Databases,
    add_database_url,
    child_env,
    example_chats,
    idle_official_client,
    official_track,
    percentiles_us,
    run_child,
    run_script,
    segflow_action,
    table,
    variables,
)

TURN_SIZES = (1, 3, 10)  # Segment messages per turn
TARGET_P50_US = 25.0  # the block's cost for one message, build + enqueue
TARGET_P99_US = 100.0
TARGET_VERSUS_TRACK = 0.7  # at most this share of the official track()'s p50
WARMUP = 500
TRANSCRIPT_LINE = '[{"type": "text", "content": {"richText": [{"text": "Thanks!"}]}}]'
# The chat's Segment context, as a visitor's browser gives it to the embed.
VISITOR = {
    "page": {
        "url": "https://shop.example.com/pricing?plan=pro",
        "path": "/pricing",
        "search": "?plan=pro",
        "title": "Pricing",
        "referrer": "https://www.example.com/",
    },
    "userAgent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/126.0 Safari/537.36",
    "locale": "en-GB",
    "timezone": "Europe/London",
}


def block_options() -> Any:
    """The Segment block of a flow: a Track Event with the event of bench/delivery.py."""
    from segflow.blocks.segment import TrackEventBlock

    return TrackEventBlock(**dict(segflow_action()))


class Clock:
    """Wall time and this thread's CPU time of each timed turn."""

    def __init__(self) -> None:
        self.wall_ns: list[int] = []
        self.cpu_ns: list[int] = []

    def time(self, work: Callable[[], object]) -> None:
        cpu, wall = time.thread_time_ns(), time.perf_counter_ns()
        work()
        self.wall_ns.append(time.perf_counter_ns() - wall)
        self.cpu_ns.append(time.thread_time_ns() - cpu)

    def added_to(self, bare: Clock) -> dict[str, float]:
        """What these turns cost beyond the bare ones run beside them, turn by turn, warm-up
        left out: p50/p99 of the wall time and the mean CPU time, in µs."""
        wall = [mine - theirs for mine, theirs in zip(self.wall_ns, bare.wall_ns, strict=True)]
        cpu = [mine - theirs for mine, theirs in zip(self.cpu_ns, bare.cpu_ns, strict=True)]
        figures = percentiles_us(wall[WARMUP:])
        return {"p50": figures["p50"], "p99": figures["p99"], "cpu": statistics.fmean(cpu) / 1000}


def child_turns(params: dict[str, Any]) -> dict[str, Any]:
    """Turns of N messages on one database: without Segment, with N Segment blocks and with N
    track() calls, in a rotating order so that other processes weigh on all three alike."""
    from sqlalchemy import select

    from segflow.chat.saving import TurnSaving
    from segflow.delivery.outbox import queued_rows
    from segflow.segment import build_message
    from segflow.service import Segflow
    from segflow.store.db import turn_connection
    from segflow.store.tables import chat_sessions

    segflow = Segflow.open()
    destination = segflow.destinations.add("bench", "bench-write-key-0001", params["collector"])
    options, outbox, database = block_options(), segflow.outbox, segflow.database
    chats, flow_id = example_chats(segflow)
    session_id = str(chats.start_chat(flow_id).session.id)  # each turn saves an answer to it
    with database.engine.connect() as connection:
        state, anonymous_id = connection.execute(
            select(chat_sessions.c.state, chat_sessions.c.anonymous_id).where(
                chat_sessions.c.id == session_id
            )
        ).one()
    saving, saved_turns = TurnSaving(database, outbox), [1]
    queued_before = outbox.pending()
    sizes, turns = params["turn_sizes"], WARMUP + params["turns"]
    client = idle_official_client(turns * sum(sizes) + len(PAUSES_MS) * (WARMUP + PAUSED_CALLS))

    def turn(work: Callable[[], list[Any]]) -> Callable[[], None]:
        """An answer's turn: its work, then its save (the chat's row, its line of the
        transcript, and the Segment messages the work queued)."""

        def run() -> None:
            with turn_connection(database) as connection:
                queued, number, now = work(), saved_turns[0], time.time()
                changed = {
                    "state": state,
                    "anonymous_id": anonymous_id,
                    "user_id": None,
                    "status": "active",
                    "updated_at": now,
                }
                line = {
                    "chat_session_id": session_id,
                    "turn": number + 1,
                    "answer": "3",
                    "messages": TRANSCRIPT_LINE,
                    "at": now,
                }
                if not saving.answer(connection, session_id, number, changed, line, queued):
                    raise RuntimeError(f"the answer to turn {number} was not saved")
                saved_turns[0] = number + 1

        return run

    def message(number: int) -> Any:
        """What a Segment block of the flow builds in a chat turn."""
        return build_message(
            options,
            variables(number),
            anonymous_id=anonymous_id,
            user_id=None,
            context=VISITOR,
            anonymous_visitor=True,
        )

    def segflow_blocks(size: int, first: int) -> Callable[[], list[Any]]:
        def work() -> list[Any]:
            started = time.perf_counter_ns()
            messages = [message(first + i) for i in range(size)]
            rows = queued_rows(((destination.id, m) for m in messages), session_id)
            building[size].append(time.perf_counter_ns() - started)
            return rows

        return work

    def official_calls(size: int, first: int) -> Callable[[], list[Any]]:
        def work() -> list[Any]:
            for i in range(size):
                official_track(client, first + i)
            return []

        return work

    clocks = {size: {kind: Clock() for kind in KINDS} for size in sizes}
    building: dict[int, list[int]] = {size: [] for size in sizes}
    for number in range(turns):
        for size in sizes:
            works = {
                "bare": list,
                "segflow": segflow_blocks(size, number * size),
                "official": official_calls(size, number * size),
            }
            order = KINDS[number % 3 :] + KINDS[: number % 3]
            for kind in order:
                clocks[size][kind].time(turn(works[kind]))
    result: dict[str, Any] = {
        kind: {
            str(size): clocks[size][kind].added_to(clocks[size]["bare"])
            | {"turn": percentiles_us(clocks[size]["bare"].wall_ns[WARMUP:])["p50"]}
            for size in sizes
        }
        for kind in ("segflow", "official")
    }
    for size in sizes:
        result["segflow"][str(size)]["build"] = percentiles_us(building[size][WARMUP:])["p50"]
    expected, pages = turns * sum(sizes), None
    if not database.is_postgresql:
        counted = {"bare": list, "segflow": segflow_blocks(1, turns * sum(sizes))}
        pages = wal_pages_per_turn(database, {k: turn(w) for k, w in counted.items()})
        expected += PAGE_COUNTING_TURNS  # each turn with Segment queued one message
    queued = outbox.pending() - queued_before
    segflow.close()

    paused = {
        kind: {str(pause): cpu_after_pause(call, pause) for pause in PAUSES_MS}
        for kind, call in (("segflow", message), ("official", lambda i: official_track(client, i)))
    }
    return result | {"queued": queued, "expected": expected, "pages": pages, "paused": paused}


PAUSES_MS = (0.0, 0.1, 0.5, 2.0)
PAUSED_CALLS = 1_000


def cpu_after_pause(call: Callable[[int], object], pause_ms: float) -> float:
    """The CPU time (p50, µs) of one call (building a message, or track()) right after this
    thread has slept for `pause_ms` (none: one call after another), as a turn's thread runs
    after waiting for its turn, or on PostgreSQL for the database's answer."""
    spent = []
    for number in range(WARMUP + PAUSED_CALLS):
        if pause_ms:
            time.sleep(pause_ms / 1000)
        started = time.thread_time_ns()
        call(number)
        spent.append(time.thread_time_ns() - started)
    return percentiles_us(spent[WARMUP:])["p50"]


PAGE_COUNTING_TURNS = 300
WAL_HEADER, WAL_FRAME_HEADER = 32, 24  # bytes: SQLite's write-ahead log, before each page


def wal_pages_per_turn(database: Any, turns: dict[str, Callable[[], None]]) -> dict[str, float]:
    """The pages each kind of turn writes to SQLite's write-ahead log, per turn, over
    PAGE_COUNTING_TURNS turns: the log is emptied, then its growth read in frames. Checkpoints
    (which would empty it) are held off on the pool's connections from then on: the benchmark
    measures nothing after."""
    from sqlalchemy import event

    def hold_off_checkpoints(driver: Any, *_: Any) -> None:
        driver.execute("PRAGMA wal_autocheckpoint = 0")

    event.listen(database.engine, "checkout", hold_off_checkpoints)
    wal = Path(database.engine.url.database + "-wal")
    pages = {}
    for kind, run_turn in turns.items():
        pooled = database.engine.raw_connection()  # outside any transaction
        try:
            driver: Any = pooled.driver_connection
            (page_size,) = driver.execute("PRAGMA page_size").fetchone()
            driver.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            pooled.close()
        for _ in range(PAGE_COUNTING_TURNS):
            run_turn()
        frames = (wal.stat().st_size - WAL_HEADER) / (page_size + WAL_FRAME_HEADER)
        pages[kind] = frames / PAGE_COUNTING_TURNS
    return pages


KINDS = ("bare", "segflow", "official")
CHILDREN = {"turns": child_turns}


def report(result: dict[str, Any]) -> list[str]:
    ours, theirs = result["segflow"], result["official"]
    rows: list[tuple[str, ...]] = []
    for size, figures in theirs.items():
        n = int(size)
        shown = [(f"turn of {n}", 1), ("  per message", n)] if n > 1 else [(f"turn of {n}", 1)]
        for label, units in shown:
            mine = {key: value / units for key, value in ours[size].items()}
            official = {key: value / units for key, value in figures.items()}
            rows.append(
                (
                    label,
                    f"{ours[size]['turn']:.1f}" if units == 1 else "",
                    f"{mine['p50']:.1f}",
                    f"{mine['p99']:.1f}",
                    f"{mine['cpu']:.1f}",
                    f"{official['p50']:.1f}",
                    f"{official['p99']:.1f}",
                    f"{official['cpu']:.1f}",
                    f"{mine['p50'] / official['p50']:.2f}x",
                )
            )
    header = (
        "µs",
        "turn without",
        "+ segflow p50",
        "p99",
        "CPU",
        "+ track() p50",
        "p99",
        "CPU",
        "segflow/track p50",
    )
    block, track = ours["1"], theirs["1"]
    versus = block["p50"] / track["p50"]
    lines = [
        "Block cost: what N Segment blocks add to an answer's turn (to the end of its save),",
        "beside what N track() calls add; µs, each turn less the turn without Segment",
        "run beside it. CPU: this thread's, mean; per message: the turn's figure over its messages",
        table(rows, header),
        "",
        "Of which building the messages (p50, timed inside the turn), and saving them (the rest)",
        *(
            f"  turn of {size}: building {ours[size]['build']:.1f} µs, "
            f"saving {ours[size]['p50'] - ours[size]['build']:.1f} µs"
            for size in ours
        ),
    ]
    if (pages := result["pages"]) is not None:
        lines.append(
            f"Pages each turn's COMMIT writes to SQLite's write-ahead log ({PAGE_COUNTING_TURNS} "
            f"turns each): {pages['bare']:.2f} without Segment, {pages['segflow']:.2f} with one "
            f"Segment block (+{pages['segflow'] - pages['bare']:.2f})"
        )
    lines.append("CPU of one call alone (p50, µs): one after another, then after the thread slept")
    for kind, name in (("segflow", "build_message()"), ("official", "track()")):
        figures = result["paused"][kind]
        after = " / ".join(f"{figures[str(pause)]:.1f}" for pause in PAUSES_MS[1:])
        lines.append(
            f"  {name:<16} {figures[str(PAUSES_MS[0])]:.1f}; after "
            f"{' / '.join(f'{pause:g}' for pause in PAUSES_MS[1:])} ms: {after}"
        )
    lines += [
        "",
        "Goals (a turn with one Segment block)",
        target(f"p50 <= {TARGET_P50_US:.0f} µs", block["p50"] <= TARGET_P50_US, block["p50"]),
        target(f"p99 <= {TARGET_P99_US:.0f} µs", block["p99"] <= TARGET_P99_US, block["p99"]),
        f"  [{'met' if versus <= TARGET_VERSUS_TRACK else 'MISSED'}] p50 <= "
        f"{TARGET_VERSUS_TRACK}x the official track(): {versus:.2f}x",
    ]
    if result["queued"] != result["expected"]:
        lines.append(
            f"  ! {result['expected']:,} messages queued, the outbox holds {result['queued']:,}"
        )
    return lines


def target(name: str, met: bool, figure: float) -> str:
    return f"  [{'met' if met else 'MISSED'}] {name}: {figure:.1f} µs"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--turns", type=int, default=5_000, help="turns timed per size (5,000)")
    add_database_url(parser)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="segflow-bench-"))
    databases = Databases(workdir, args.database_url)
    print(
        f"segflow Segment block cost: turns of {', '.join(map(str, TURN_SIZES))} track messages, "
        f"{args.turns:,} turns each\n  {databases.label}; {os.cpu_count()} CPUs; Python "
        f"{platform.python_version()}; segment-analytics-python "
        f"{version('segment-analytics-python')}",
        flush=True,
    )
    load = os.getloadavg()[0]
    # The destination is never sent to: nothing listens on port 9.
    params = {"turns": args.turns, "turn_sizes": TURN_SIZES, "collector": "http://127.0.0.1:9"}
    try:
        with databases.fresh("block_cost") as database:
            result = run_child(
                "turns", params, child_env(workdir / "home", database), script=__file__
            )
        print()
        print("\n".join(report(result)))
        print(
            f"\nLoad average (1 min) before / after: {load:.2f} / {os.getloadavg()[0]:.2f}; "
            "other busy processes raise the wall times (p50, p99) more than the CPU times."
        )
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    run_script(CHILDREN, main)
