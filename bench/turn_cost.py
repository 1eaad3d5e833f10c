"""Chat turn benchmark without HTTP: what a turn costs segflow itself, in one process.

`bench/chat_api.py` measures what the server spends per turn, HTTP, threads, sender and
collector included. This one keeps only the turn: the engine, the chat's reads and writes, its
Segment messages built and queued (no sender runs), called as the API's turn thread calls them
(`Chats.start_chat`, `Chats.continue_chat`). With the rest taken away, a change to the turn
itself shows through the noise of a shared machine.

Each round runs chats through the example flow (a start and four answers each) and times this
thread's CPU and the wall time of each kind of turn; the figures are the median and the best of
the rounds, in µs per turn.

    python bench/turn_cost.py                  # SQLite (WAL) in a temporary folder
    python bench/turn_cost.py --database-url postgresql://postgres@127.0.0.1:5432/postgres

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
from pathlib import Path
from typing import Any

from delivery import (
    Databases,
    add_database_url,
    child_env,
    example_chats,
    run_child,
    run_script,
    table,
)

ANSWERS = ("Ada", "ada@example.com", "Team", "3")  # from the start to the end of the flow
WARMUP_CHATS = 50


def child_turns(params: dict[str, Any]) -> dict[str, Any]:
    """Rounds of chats; per round, the CPU and wall time of its starts and of its answers."""
    from segflow.service import Segflow

    segflow = Segflow.open()
    chats, flow_id = example_chats(segflow)

    spent = {"start": [0, 0], "answer": [0, 0]}  # ns of CPU, ns of wall time

    def timed(kind: str, turn: Any, *args: Any) -> Any:
        cpu, wall = time.thread_time_ns(), time.perf_counter_ns()
        result = turn(*args)
        spent[kind][0] += time.thread_time_ns() - cpu
        spent[kind][1] += time.perf_counter_ns() - wall
        return result

    def chat() -> None:
        session = timed("start", chats.start_chat, flow_id).session.id
        for answer in ANSWERS:
            timed("answer", chats.continue_chat, session, answer)

    for _ in range(WARMUP_CHATS):
        chat()
    rounds = []
    for _ in range(params["rounds"]):
        spent = {"start": [0, 0], "answer": [0, 0]}
        for _ in range(params["chats"]):
            chat()
        rounds.append(spent)
    queued = segflow.outbox.pending()
    segflow.close()
    return {"rounds": rounds, "queued": queued}


CHILDREN = {"turns": child_turns}


def report(result: dict[str, Any], chats: int) -> list[str]:
    counts = {
        "start": chats,
        "answer": chats * len(ANSWERS),
        "every turn": chats * (1 + len(ANSWERS)),
    }
    rows: list[tuple[str, ...]] = []
    for kind, count in counts.items():
        kinds = ("start", "answer") if kind == "every turn" else (kind,)
        cpu = [sum(r[k][0] for k in kinds) / count / 1000 for r in result["rounds"]]
        wall = [sum(r[k][1] for k in kinds) / count / 1000 for r in result["rounds"]]
        rows.append(
            (
                kind,
                f"{statistics.median(cpu):.1f}",
                f"{min(cpu):.1f}",
                f"{statistics.median(wall):.1f}",
                f"{min(wall):.1f}",
            )
        )
    header = ("µs per turn", "CPU median", "best", "wall median", "best")
    return [
        "Chat turns in one process, no HTTP: this thread's CPU and the wall time per turn",
        table(rows, header),
        f"  {result['queued']:,} Segment messages queued by the timed and warm-up chats",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--chats", type=int, default=200, help="chats per round (200)")
    parser.add_argument("--rounds", type=int, default=5, help="rounds (5)")
    add_database_url(parser)
    args = parser.parse_args()
    import segflow  # its folder is printed: with PYTHONPATH, the child measures that version

    workdir = Path(tempfile.mkdtemp(prefix="segflow-bench-"))
    databases = Databases(workdir, args.database_url)
    where = str(Path(segflow.__file__).parent)
    print(
        f"segflow chat turns in process: {args.rounds} rounds of {args.chats} chats through "
        f"the example flow\n  {databases.label}; {os.cpu_count()} CPUs; Python "
        f"{platform.python_version()}; segflow from {where}",
        flush=True,
    )
    load = os.getloadavg()[0]
    params = {"chats": args.chats, "rounds": args.rounds}
    try:
        with databases.fresh("turn_cost") as database:
            env = child_env(workdir / "home", database)
            result = run_child("turns", params, env, script=__file__)
        print()
        print("\n".join(report(result, args.chats)))
        print(f"\nLoad average (1 min) before / after: {load:.2f} / {os.getloadavg()[0]:.2f}")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    run_script(CHILDREN, main)
