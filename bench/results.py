"""Results benchmark: a flow's Results with 100,000 chats in SQLite, and what keeping each
chat's transcript adds to a chat turn.

It fills a fresh SQLite database (in a temporary folder) with N chats of one flow, each with
three turns of transcript and one Segment message in the outbox (written straight with
executemany, as chats would have written them), plus as many chats of another flow. Then it
times, best of several runs:

- the first page of the Results (100 chats, with their answers and messages, and the total);
- the 1,000th page, from the cursor the 999th page gives;
- the first page of a status filter that only 1% of the chats pass, and of a text search;
- the whole CSV export, streamed.

Then it runs real chats through `Chats` (start, answer, answer) and reports the time per turn.

    python bench/results.py                 # 100,000 chats
    python bench/results.py --chats 20000   # a quicker look
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import insert, select

PAGE = 100
DOCUMENT: dict[str, Any] = {
    "name": "Bench",
    "variables": [{"name": "name"}, {"name": "email"}],
    "start": {"group": "welcome", "position": {"x": 0, "y": 0}},
    "groups": [
        {
            "id": "welcome",
            "title": "Welcome",
            "position": {"x": 0, "y": 0},
            "blocks": [
                {"id": "hi", "type": "text", "text": "Hi! Your name?"},
                {"id": "name", "type": "textInput", "variable": "name"},
                {"id": "ask", "type": "text", "text": "Thanks {{name}}. Your email?"},
                {"id": "email", "type": "emailInput", "variable": "email"},
                {"id": "bye", "type": "text", "text": "Bye!"},
            ],
        }
    ],
}


def best_ms(run: Callable[[], object], rounds: int = 5) -> float:
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return min(times) * 1000


def fill(segflow: Any, flow_id: str, version_id: int, count: int, completed_every: int) -> None:
    from segflow.store.tables import chat_sessions, chat_turns, outbox

    destination = segflow.destinations.resolve(None).id
    now = time.time() - count
    for start in range(0, count, 10_000):
        sessions, turns, messages = [], [], []
        for n in range(start, min(start + 10_000, count)):
            session_id = str(uuid.uuid4())
            completed = n % completed_every == 0
            at = now + n
            state = {"variables": {"name": f"Person {n}", "email": f"p{n}@example.com"}}
            sessions.append(
                {
                    "id": session_id,
                    "flow_version_id": version_id,
                    "flow_id": flow_id,
                    "state": orjson.dumps(state).decode(),
                    "anonymous_id": str(uuid.uuid4()),
                    "user_id": None,
                    "visitor": None,
                    "status": "completed" if completed else "active",
                    "turns": 3,
                    "created_at": at,
                    "updated_at": at + 30,
                }
            )
            for turn, answer in enumerate([None, f"Person {n}", f"p{n}@example.com"], 1):
                said = [{"type": "text", "text": "Hi!", "html": "Hi!"}]
                turns.append(
                    {
                        "chat_session_id": session_id,
                        "turn": turn,
                        "answer": answer,
                        "messages": orjson.dumps(said).decode(),
                        "at": at + turn,
                    }
                )
            messages.append(
                {
                    "destination_id": destination,
                    "message_id": str(uuid.uuid4()),
                    "type": "identify",
                    "payload": b'{"type":"identify"}',
                    "created_at": at,
                    "state": "delivered",
                    "attempts": 0,
                    "chat_session_id": session_id,
                }
            )
        with segflow.database.engine.begin() as connection:
            connection.execute(insert(chat_sessions), sessions)
            connection.execute(insert(chat_turns), turns)
            connection.execute(insert(outbox), messages)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--chats", type=int, default=100_000)
    parser.add_argument("--turns", type=int, default=600, help="chat turns run through Chats")
    arguments = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="segflow-results-bench-"))
    os.environ["SEGFLOW_HOME"] = str(home)

    from segflow.chat import Chats, Flows
    from segflow.chat.results import Results, ResultsFilter
    from segflow.flow import ChatStatus
    from segflow.service import Segflow
    from segflow.settings import Settings
    from segflow.store.tables import flow_versions

    segflow = Segflow.open(Settings(home=home, collector_url="http://127.0.0.1:9"))
    flows = Flows(segflow)
    flow_id = flows.save(DOCUMENT).id
    other_id = flows.save(DOCUMENT | {"name": "Other"}).id
    ids = {}
    for name in (flow_id, other_id):
        flows.publish(name)
        with segflow.database.engine.connect() as connection:
            ids[name] = connection.execute(
                select(flow_versions.c.id).where(flow_versions.c.flow_id == name)
            ).scalar_one()
    started = time.perf_counter()
    fill(segflow, flow_id, ids[flow_id], arguments.chats, completed_every=100)
    fill(segflow, other_id, ids[other_id], arguments.chats, completed_every=2)
    print(f"{2 * arguments.chats:,} chats written in {time.perf_counter() - started:.0f} s")

    results = Results(segflow.database, segflow.outbox, flows)
    first = results.page(flow_id, size=PAGE)
    assert first.total == arguments.chats and len(first.chats) == PAGE
    assert [len(chat.segment) for chat in first.chats] == [1] * PAGE
    print(f"first page ({PAGE} chats, with answers, messages, total): ", end="")
    print(f"{best_ms(lambda: results.page(flow_id, size=PAGE)):.1f} ms")

    pages = min(1000, arguments.chats // PAGE)
    cursor = first.next
    walk_started = time.perf_counter()
    for _ in range(pages - 2):
        cursor = results.page(flow_id, after=cursor, size=PAGE).next
    walked = time.perf_counter() - walk_started
    last = results.page(flow_id, after=cursor, size=PAGE)
    assert len(last.chats) == PAGE
    last_ms = best_ms(lambda: results.page(flow_id, after=cursor, size=PAGE))
    print(f"page {pages:,}: {last_ms:.1f} ms")
    each = walked / (pages - 2) * 1000
    print(f"  (walking pages 2 to {pages - 1} took {walked:.1f} s, {each:.1f} ms a page)")

    rare = ResultsFilter(status=ChatStatus.COMPLETED)
    assert results.page(flow_id, rare, size=PAGE).total == arguments.chats // 100
    rare_ms = best_ms(lambda: results.page(flow_id, rare, size=PAGE))
    print(f"first page of a status 1% of chats have: {rare_ms:.1f} ms")
    search = ResultsFilter(answer_contains="p4242@")
    search_ms = best_ms(lambda: results.page(flow_id, search, size=PAGE), 2)
    print(f"first page of a text search: {search_ms:.1f} ms")

    def export() -> None:
        for _ in results.batches(flow_id):
            pass

    print(f"every chat for the CSV export: {best_ms(export, 1) / 1000:.1f} s")

    chats = Chats(segflow, flows)
    turns = arguments.turns // 3
    started = time.perf_counter()
    for _ in range(turns):
        session = chats.start_chat(flow_id).session.id
        chats.continue_chat(session, "Ada")
        chats.continue_chat(session, "ada@example.com")
    per_turn = (time.perf_counter() - started) / (3 * turns) * 1e6
    print(f"a chat turn through Chats (SQLite, transcript kept): {per_turn:.0f} µs")
    segflow.close()


if __name__ == "__main__":
    main()
