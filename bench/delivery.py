"""Delivery benchmark: segflow's outbox and sender against the official segment-analytics-python.

Both send track events to the built-in collector (`segflow collector --no-store`) on loopback,
one after the other on the same machine. Every measurement runs in its own child process, so
that peak RSS is that of the work measured and nothing is shared between the two libraries.

    python bench/delivery.py                 # SQLite (WAL) in a temporary folder
    python bench/delivery.py --quick         # smaller run, for a quick look
    python bench/delivery.py --database-url postgresql://postgres@127.0.0.1:5432/postgres

With --database-url, the URL names a PostgreSQL server and a database to connect to there;
the benchmark creates its own databases on that server and drops them when done.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass, replace
from importlib.metadata import version
from pathlib import Path
from typing import Any

import psutil

WRITE_KEY = "bench-write-key-0001"
TRANSACTION_SIZE = 100  # messages queued per transaction when filling the outbox
TARGET_EVENTS_PER_SECOND = 100_000
TARGET_ENQUEUE_P50_US = 50.0
TARGET_ENQUEUE_P99_US = 200.0
# Peak RSS may grow this much from an empty outbox to the largest backlog and still count as flat.
FLAT_RSS_ALLOWANCE_MIB = 32.0
TARGET_DELIVERED_VS_OFFICIAL = 7.0
TARGET_END_TO_END_VS_OFFICIAL = 3.0
TARGET_POSTGRESQL_EVENTS_PER_SECOND = 50_000
# A long delivered history may cost a turn's write and a claim this much more than none.
HISTORY_ALLOWANCE = 0.10
HISTORY_EVENTS = 20_000  # messages queued then claimed, per round, on each database
TURN_MESSAGES = 3  # Segment messages a chat turn queues, in the history and in the turns measured


@dataclass(frozen=True)
class Size:
    events: int
    latency_samples: int
    backlogs: tuple[int, ...]
    rounds: int  # throughput runs of each library; the best counts, as other load only slows


FULL = Size(events=200_000, latency_samples=20_000, backlogs=(0, 100_000, 1_000_000), rounds=3)
QUICK = Size(events=50_000, latency_samples=5_000, backlogs=(0, 20_000, 100_000), rounds=1)


# -- the events both libraries send ----------------------------------------------------------


def variables(i: int) -> dict[str, object]:
    return {
        "user": f"user-{i % 5_000}",
        "plan": ("free", "pro", "team")[i % 3],
        "price": f"{(i % 100) + 0.99:.2f}",
        "turn": str(i),
    }


def official_track(client: Any, i: int) -> tuple[bool, Any]:
    """The same event as `segflow_action`, through the official client's `track()`."""
    values = variables(i)
    return client.track(
        user_id=values["user"],
        event="Order Completed",
        anonymous_id=f"anon-{i}",
        properties={
            "plan": values["plan"],
            "price": float(str(values["price"])),
            "currency": "EUR",
            "chat_turn": i,
        },
    )


def segflow_action() -> Any:
    from segflow.segment import KeyValue, TrackEvent, ValueType

    return TrackEvent(
        event_name="Order Completed",
        user_id="{{user}}",
        properties=[
            KeyValue(key="plan", value="{{plan}}"),
            KeyValue(key="price", value="{{price}}", type=ValueType.NUMBER),
            KeyValue(key="currency", value="EUR"),
            KeyValue(key="chat_turn", value="{{turn}}", type=ValueType.NUMBER),
        ],
    )


# -- talking to the collector ------------------------------------------------------------------


def collector_stats(url: str) -> dict[str, int]:
    with urllib.request.urlopen(f"{url}/stats", timeout=10) as response:
        stats: dict[str, int] = json.loads(response.read())
    return stats


def wait_for_events(url: str, target: int, timeout: float) -> dict[str, int]:
    """Polls /stats until the collector has counted `target` events (or the timeout passes)."""
    ends = time.monotonic() + timeout
    while True:
        stats = collector_stats(url)
        if stats["events"] >= target or time.monotonic() > ends:
            return stats
        time.sleep(0.01)


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system, all threads) a process has used so far."""
    times = psutil.Process(pid).cpu_times()
    return float(times.user + times.system)


@contextmanager
def running_collector(workdir: Path) -> Iterator[tuple[str, int]]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    log = (workdir / "collector.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "segflow", "collector", "--port", str(port), "--no-store"],
        env=child_env(workdir / "collector-home"),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        ends = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                raise SystemExit(f"The collector exited: {(workdir / 'collector.log').read_text()}")
            try:
                with urllib.request.urlopen(f"{url}/health", timeout=1):
                    break
            except OSError:
                if time.monotonic() > ends:
                    raise SystemExit("The collector did not answer /health within 30 s") from None
                time.sleep(0.1)
        yield url, process.pid
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


# -- the application database of each segflow measurement ------------------------------------


class Databases:
    """A fresh database per measurement: SQLite files in the work folder, or PostgreSQL ones."""

    def __init__(self, workdir: Path, server_url: str | None) -> None:
        self._workdir = workdir
        self._server_url = server_url

    @property
    def is_postgresql(self) -> bool:
        return self._server_url is not None

    @property
    def label(self) -> str:
        if self._server_url is None:
            return "SQLite (WAL, synchronous=NORMAL)"
        from sqlalchemy.engine import make_url

        return f"PostgreSQL at {make_url(self._server_url).render_as_string(hide_password=True)}"

    @contextmanager
    def fresh(self, name: str) -> Iterator[str]:
        if self._server_url is None:
            path = self._workdir / f"{name}.db"
            try:
                yield f"sqlite:///{path}"
            finally:
                for leftover in self._workdir.glob(f"{name}.db*"):
                    leftover.unlink()
            return
        import psycopg
        from sqlalchemy.engine import make_url

        server = make_url(self._server_url).set(drivername="postgresql")
        admin = server.render_as_string(hide_password=False)
        database = f"segflow_bench_{name}_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{database}"')
        try:
            yield server.set(database=database).render_as_string(hide_password=False)
        finally:
            with psycopg.connect(admin, autocommit=True) as connection:
                connection.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


def child_env(home: Path, database_url: str | None = None) -> dict[str, str]:
    """segflow's settings for a child: its own home, database and (shared) secret key file."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SEGFLOW_", "SEGMENT_"))}
    env["SEGFLOW_HOME"] = str(home)
    if database_url is not None:
        env["SEGFLOW_DATABASE_URL"] = database_url
    return env


def run_child(
    role: str, params: dict[str, Any], env: dict[str, str], script: str = __file__
) -> dict[str, Any]:
    """Runs one measurement of `script` in a fresh interpreter; it answers with one line of
    JSON."""
    done = subprocess.run(
        [sys.executable, script, "--child", role, json.dumps(params)],
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"Measurement {role} failed:\n{done.stdout}\n{done.stderr}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


# -- the measurements, each run in a child process --------------------------------------------


def peak_rss_bytes() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def percentiles_us(samples_ns: list[int]) -> dict[str, float]:
    ordered = sorted(samples_ns)
    return {
        "p50": ordered[len(ordered) // 2] / 1000,
        "p99": ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] / 1000,
        "mean": statistics.fmean(ordered) / 1000,
    }


def example_chats(segflow: Any) -> tuple[Any, str]:
    """segflow's chats, with its example flow (the one `segflow serve` starts with) published:
    the Chats and the flow's ID."""
    from importlib.resources import files

    import yaml

    from segflow.chat import Chats

    chats = Chats(segflow)
    example = files("segflow") / "examples" / "lead-capture.yaml"
    flow = chats.flows.save(yaml.safe_load(example.read_text()))
    chats.flows.publish(flow.id)
    return chats, flow.id


def open_segflow_with_destination(collector: str) -> tuple[Any, int]:
    from segflow.service import Segflow

    segflow = Segflow.open()
    destination = segflow.destinations.add("bench", WRITE_KEY, collector)
    return segflow, destination.id


def child_segflow_throughput(params: dict[str, Any]) -> dict[str, Any]:
    """Builds and enqueues `events` messages, then delivers them with one Sender."""
    from segflow.segment import build_message

    events, collector = params["events"], params["collector"]
    segflow, destination_id = open_segflow_with_destination(collector)
    action, outbox, engine = segflow_action(), segflow.outbox, segflow.database.engine
    # One message delivered before the clock starts: the HTTP stack that a sender imports on
    # its first batch (httpx's transport, about 0.2 s of CPU) is imported here, as the
    # official library's is when the child imports it.
    outbox.enqueue(build_message(action, variables(0), anonymous_id="warm-up"), destination_id)
    segflow.sender().run(until_empty=True)
    (warm_up,) = segflow.outbox.counts()
    before = collector_stats(collector)
    build_ns = enqueue_ns = payload_bytes = 0
    clock = time.perf_counter_ns
    started, queued = time.perf_counter(), clock()
    for first in range(0, events, TRANSACTION_SIZE):
        built = []
        for i in range(first, min(first + TRANSACTION_SIZE, events)):
            message = build_message(action, variables(i), anonymous_id=f"anon-{i}")
            payload_bytes += len(message.payload)
            built.append(message)
        tick = clock()
        build_ns += tick - queued
        # Queued in one statement, as a chat turn queues its messages.
        with engine.begin() as connection:
            outbox.enqueue_many(built, destination_id, connection=connection)
        queued = clock()
        enqueue_ns += queued - tick
    enqueued = time.perf_counter()
    cpu, collector_cpu = time.process_time(), cpu_seconds(params["collector_pid"])
    server_cpu = database_server_cpu(segflow)
    report = segflow.sender().run(until_empty=True)
    delivered = time.perf_counter()
    cpu, collector_cpu = (
        time.process_time() - cpu,
        cpu_seconds(params["collector_pid"]) - collector_cpu,
    )
    server_cpu = {
        pid: seconds - server_cpu.get(pid, 0.0)
        for pid, seconds in database_server_cpu(segflow).items()
    }
    after = wait_for_events(collector, before["events"] + events, timeout=30)
    (counts,) = segflow.outbox.counts()
    segflow.close()
    return {
        "events": events,
        "build_s": build_ns / 1e9,
        "enqueue_s": enqueue_ns / 1e9,
        "fill_s": enqueued - started,
        "send_s": delivered - enqueued,
        "total_s": delivered - started,
        "send_cpu_s": cpu,
        "collector_cpu_s": collector_cpu,
        "server_cpu_s": sum(server_cpu.values()),
        "reported_delivered": report.delivered,
        "dead": report.dead,
        "failed_attempts": report.failed_attempts,
        "outbox_delivered": counts.delivered - warm_up.delivered,
        "outbox_queued": counts.queued,
        "collected": after["events"] - before["events"],
        "requests": after["requests"] - before["requests"],
        "bytes_per_event": payload_bytes / events,
    }


def database_server_cpu(segflow: Any) -> dict[int, float]:
    """CPU seconds so far of each PostgreSQL server process serving this database (the server
    runs on this machine, sharing its cores); empty on SQLite, which runs in the sender."""
    if not segflow.database.is_postgresql:
        return {}
    from sqlalchemy import text

    with segflow.database.engine.connect() as connection:
        pids = connection.execute(
            text("SELECT pid FROM pg_stat_activity WHERE datname = current_database()")
        ).scalars()
        return processes_cpu(pids)


def processes_cpu(pids: Iterable[int]) -> dict[int, float]:
    """`cpu_seconds` of each process, by pid; one that ended or is not ours to read is left
    out."""
    found = {}
    for pid in pids:
        with suppress(psutil.Error):
            found[pid] = cpu_seconds(pid)
    return found


def child_segflow_latency(params: dict[str, Any]) -> dict[str, Any]:
    """Per-call cost of build_message() and of enqueue() inside an open transaction."""
    from segflow.segment import build_message

    samples, warmup = params["samples"], 1_000
    segflow, destination_id = open_segflow_with_destination(params["collector"])
    action, outbox, engine = segflow_action(), segflow.outbox, segflow.database.engine
    clock = time.perf_counter_ns
    build_ns: list[int] = []
    messages = []
    for i in range(warmup + samples):
        tick = clock()
        message = build_message(action, variables(i), anonymous_id=f"anon-{i}")
        build_ns.append(clock() - tick)
        messages.append(message)
    enqueue_ns: list[int] = []
    for first in range(0, len(messages), TRANSACTION_SIZE):
        with engine.begin() as connection:
            for message in messages[first : first + TRANSACTION_SIZE]:
                tick = clock()
                outbox.enqueue(message, destination_id, connection=connection)
                enqueue_ns.append(clock() - tick)
    # For comparison: enqueue() without a connection, one transaction (and commit) per message.
    committed_ns: list[int] = []
    for i in range(min(samples, 5_000)):
        message = build_message(action, variables(i), anonymous_id=f"anon-{i}")
        tick = clock()
        outbox.enqueue(message, destination_id)
        committed_ns.append(clock() - tick)
    segflow.close()
    return {
        "build": percentiles_us(build_ns[warmup:]),
        "enqueue": percentiles_us(enqueue_ns[warmup:]),
        "enqueue_commit": percentiles_us(committed_ns[100:]),
    }


def child_segflow_backlog(params: dict[str, Any]) -> dict[str, Any]:
    """Fills the outbox with `events` queued messages (copies of one built message, new ids)."""
    from segflow.segment import SegmentMessage, build_message

    events = params["events"]
    segflow, destination_id = open_segflow_with_destination(params["collector"])
    model = build_message(segflow_action(), variables(0), anonymous_id="anon-0")
    chunk = 10_000
    for first in range(0, events, chunk):
        batch = []
        for _ in range(min(chunk, events - first)):
            message_id = str(uuid.uuid4())
            payload = model.payload.replace(model.message_id.encode(), message_id.encode())
            batch.append(SegmentMessage(model.type, message_id, payload))
        segflow.outbox.enqueue_many(batch, destination_id)
    pending = segflow.outbox.pending()
    segflow.close()
    return {"queued": pending}


def child_segflow_drain(params: dict[str, Any]) -> dict[str, Any]:
    """A sender process draining the backlog already in the outbox; reports its peak RSS."""
    from segflow.service import Segflow

    collector = params["collector"]
    segflow = Segflow.open()
    queued = segflow.outbox.pending()
    before = collector_stats(collector)
    started = time.perf_counter()
    report = segflow.sender().run(until_empty=True)
    seconds = time.perf_counter() - started
    after = wait_for_events(collector, before["events"] + queued, timeout=30)
    left = segflow.outbox.pending()
    segflow.close()
    return {
        "queued": queued,
        "delivered": report.delivered,
        "collected": after["events"] - before["events"],
        "left": left,
        "seconds": seconds,
        "peak_rss": peak_rss_bytes(),
    }


def idle_official_client(max_queue_size: int) -> Any:
    """An official client whose consumer thread is stopped: track() only fills its queue."""
    from segment.analytics.client import Client

    client = Client(WRITE_KEY, host="http://127.0.0.1:9", max_queue_size=max_queue_size)
    for consumer in client.consumers:
        consumer.pause()
        consumer.join()
    return client


def child_official_throughput(params: dict[str, Any]) -> dict[str, Any]:
    """`events` track() calls, then flush(); timed until the collector has counted them all."""
    from segment.analytics.client import Client

    events, collector = params["events"], params["collector"]
    failed: list[int] = []
    client = Client(
        WRITE_KEY,
        host=collector,
        max_queue_size=events,  # raised so that nothing is dropped for a full queue
        on_error=lambda _error, batch: failed.append(len(batch)),
    )
    before = collector_stats(collector)
    rejected = payload_bytes = 0
    cpu, collector_cpu = time.process_time(), cpu_seconds(params["collector_pid"])
    started = time.perf_counter()
    for i in range(events):
        accepted, message = official_track(client, i)
        rejected += not accepted
        if i % 100 == 0:
            payload_bytes += len(json.dumps(message))
    enqueued = time.perf_counter()
    client.flush()
    flushed = time.perf_counter()
    expected = events - rejected - sum(failed)
    after = wait_for_events(collector, before["events"] + expected, timeout=120)
    collected_at = time.perf_counter()
    cpu, collector_cpu = (
        time.process_time() - cpu,
        cpu_seconds(params["collector_pid"]) - collector_cpu,
    )
    client.join()
    return {
        "events": events,
        "track_s": enqueued - started,
        "flush_s": flushed - enqueued,
        "total_s": collected_at - started,
        "cpu_s": cpu,
        "collector_cpu_s": collector_cpu,
        "queue_full": rejected,
        "on_error": sum(failed),
        "collected": after["events"] - before["events"],
        "requests": after["requests"] - before["requests"],
        "bytes_per_event": payload_bytes / len(range(0, events, 100)),
    }


def child_official_latency(params: dict[str, Any]) -> dict[str, Any]:
    """Per-call cost of track() alone (consumer stopped, so no thread competes for the GIL)."""
    samples, warmup = params["samples"], 1_000
    client = idle_official_client(warmup + samples)
    clock = time.perf_counter_ns
    track_ns = []
    for i in range(warmup + samples):
        tick = clock()
        official_track(client, i)
        track_ns.append(clock() - tick)
    return {"track": percentiles_us(track_ns[warmup:])}


def child_official_hold(params: dict[str, Any]) -> dict[str, Any]:
    """An official client holding `events` messages in its in-memory queue; its peak RSS."""
    events = params["events"]
    client = idle_official_client(max(events, 1))
    for i in range(events):
        official_track(client, i)
    gc.collect()
    return {"queued": client.queue.qsize(), "peak_rss": peak_rss_bytes()}


def fill_history(segflow: Any, destination_id: int, rows: int, payload: bytes) -> None:
    """Writes `rows` delivered messages of chats straight into the outbox, in the database's
    own SQL (Python would take far longer): a long history, as months of chats leave behind.
    The outbox's indexes are built once, after the rows, as inserting into them would take
    longer still."""
    from sqlalchemy import text

    from segflow.store.tables import outbox

    engine = segflow.database.engine
    values = {"destination": destination_id, "payload": payload, "now": time.time()}
    random_id = "md5(random()::text)" if segflow.database.is_postgresql else "hex(randomblob(16))"
    rows_of = (
        "generate_series(1, :size)"
        if segflow.database.is_postgresql
        else "(WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < :size) "
        "SELECT i FROM n)"
    )
    statement = text(
        "INSERT INTO outbox (destination_id, message_id, type, payload, created_at, state, "
        f"attempts, finished_at, chat_session_id) SELECT :destination, {random_id}, 'track', "
        f":payload, :now, 'delivered', 1, :now, {random_id} FROM {rows_of} AS n"
    )
    with engine.begin() as connection:
        for index in outbox.indexes:
            index.drop(connection)
        chunk = 1_000_000
        for first in range(0, rows, chunk):
            connection.execute(statement, {**values, "size": min(chunk, rows - first)})
        for index in outbox.indexes:
            index.create(connection)
    with engine.connect() as connection:
        connection = connection.execution_options(isolation_level="AUTOCOMMIT")
        if segflow.database.is_postgresql:
            connection.execute(text("VACUUM ANALYZE outbox"))
            # The fill's WAL checkpointed now rather than during the measurement.
            connection.execute(text("CHECKPOINT"))
        else:
            connection.execute(text("ANALYZE"))


def child_segflow_history(params: dict[str, Any]) -> dict[str, Any]:
    """With `history` delivered messages already in the outbox: the cost of a turn's write
    (its TURN_MESSAGES messages, listed under its chat, in a transaction of their own) and of
    claiming and marking delivered, without HTTP; CPU here and in PostgreSQL's server."""
    from segflow.segment import SegmentMessage, build_message

    events, history = params["events"], params["history"]
    segflow, destination_id = open_segflow_with_destination(params["collector"])
    model = build_message(segflow_action(), variables(0), anonymous_id="anon-0")
    started = time.perf_counter()
    fill_history(segflow, destination_id, history, model.payload)
    filled_s = time.perf_counter() - started
    messages = []
    for _ in range(events):
        message_id = str(uuid.uuid4())
        payload = model.payload.replace(model.message_id.encode(), message_id.encode())
        messages.append(SegmentMessage(model.type, message_id, payload))
    rounds = [measure_turn_writes_and_claims(segflow, destination_id, messages) for _ in range(3)]
    left = segflow.outbox.pending()
    segflow.close()
    # The best round counts, as other load only slows a round down.
    return {
        "history": history,
        "filled_s": filled_s,
        **{key: min(r[key] for r in rounds) for key in rounds[0]},
        "left": left,
    }


def new_chat_id() -> str:
    """A new chat's ID as segflow makes it; a random UUID for a segflow from before its IDs
    started with their time (to measure a baseline with this benchmark)."""
    try:
        from segflow.chat.ids import new_chat_id as segflows
    except ModuleNotFoundError:
        return str(uuid.uuid4())
    return segflows()


def cpu_here_and_in_the_database(segflow: Any) -> float:
    """CPU seconds so far of this thread and of the PostgreSQL processes serving its database:
    on PostgreSQL most of a write's cost is the server's."""
    return time.thread_time() + sum(database_server_cpu(segflow).values())


def measure_turn_writes_and_claims(
    segflow: Any, destination_id: int, messages: list[Any]
) -> dict[str, float]:
    outbox, engine, clock = segflow.outbox, segflow.database.engine, time.perf_counter_ns
    fresh = [message._replace(message_id=str(uuid.uuid4())) for message in messages]
    turns = [fresh[first : first + TURN_MESSAGES] for first in range(0, len(fresh), TURN_MESSAGES)]
    chats = [new_chat_id() for _ in turns]
    write_ns: list[int] = []
    cpu = cpu_here_and_in_the_database(segflow)
    for turn, chat in zip(turns, chats, strict=True):
        tick = clock()
        with engine.begin() as connection:  # as Chats queues a turn's messages
            outbox.enqueue_many(turn, destination_id, connection=connection, chat_session_id=chat)
        write_ns.append(clock() - tick)
    write_cpu = cpu_here_and_in_the_database(segflow) - cpu
    cpu = cpu_here_and_in_the_database(segflow)
    while batch := outbox.claim(destination_id, "bench:0:history", lease=60):
        outbox.delivered([message.id for message in batch], destination_id)
    claim_cpu = cpu_here_and_in_the_database(segflow) - cpu
    return {
        "turn_write_p50_us": percentiles_us(write_ns)["p50"],
        "turn_write_cpu_us": write_cpu / len(turns) * 1e6,
        "claim_cpu_us": claim_cpu / len(fresh) * 1e6,
    }


CHILDREN: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "segflow-history": child_segflow_history,
    "segflow-throughput": child_segflow_throughput,
    "segflow-latency": child_segflow_latency,
    "segflow-backlog": child_segflow_backlog,
    "segflow-drain": child_segflow_drain,
    "official-throughput": child_official_throughput,
    "official-latency": child_official_latency,
    "official-hold": child_official_hold,
}


# -- the run, and its report -------------------------------------------------------------------


def mib(value: float) -> str:
    return f"{value / 2**20:,.0f}"


def per_second(events: int, seconds: float) -> float:
    return events / seconds if seconds > 0 else float("inf")


def count(value: float) -> str:
    return f"{value:,.0f}"


def ratio(mine: float, theirs: float) -> str:
    return f"{mine / theirs:,.1f}x" if theirs else "n/a"


def table(rows: list[tuple[str, ...]], header: tuple[str, ...]) -> str:
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    lines = []
    for index, row in enumerate([header, *rows]):
        figures = zip(row[1:], widths[1:], strict=True)
        cells = [row[0].ljust(widths[0]), *(cell.rjust(width) for cell, width in figures)]
        lines.append("  " + "  ".join(cells))
        if index == 0:
            lines.append("  " + "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def step(text: str) -> None:
    print(f"· {text}", flush=True)


def add_database_url(parser: argparse.ArgumentParser) -> None:
    """The --database-url option of the benchmarks that measure on SQLite or PostgreSQL."""
    parser.add_argument(
        "--database-url",
        help="a PostgreSQL server (URL of a database there) on which to create and drop the "
        "benchmark's databases; default: SQLite files in a temporary folder",
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="50k events, backlogs up to 100k")
    parser.add_argument("--events", type=int, help="events per throughput run (default 200,000)")
    add_database_url(parser)
    parser.add_argument(
        "--rounds", type=int, help="throughput runs of each library, the best counts (default 3)"
    )
    parser.add_argument("--skip-rss", action="store_true", help="leave out the peak RSS part")
    parser.add_argument(
        "--history",
        type=int,
        default=0,
        help="also measure a turn's write and a claim with this many delivered messages in "
        "the outbox against an empty one (e.g. 10000000)",
    )
    args = parser.parse_args()
    size = QUICK if args.quick else FULL
    if args.rounds:
        size = replace(size, rounds=args.rounds)
    events = args.events or size.events

    workdir = Path(tempfile.mkdtemp(prefix="segflow-bench-"))
    databases = Databases(workdir, args.database_url)
    home = workdir / "home"
    print(
        f"segflow delivery benchmark: {events:,} track events to a loopback collector "
        f"(--no-store)\n  {databases.label}; {os.cpu_count()} CPUs; Python "
        f"{platform.python_version()}; segment-analytics-python "
        f"{version('segment-analytics-python')}",
        flush=True,
    )
    load = os.getloadavg()[0]
    try:
        with running_collector(workdir) as (collector, collector_pid):
            run = Run(collector, collector_pid, databases, home, events, size, args.skip_rss)
            run.history = args.history
            run.measure()
            print()
            print(run.report())
        print(
            f"Load average (1 min) before / after: {load:.2f} / {os.getloadavg()[0]:.2f}; "
            "other busy processes on this machine lower every figure."
        )
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


class Run:
    def __init__(
        self,
        collector: str,
        collector_pid: int,
        databases: Databases,
        home: Path,
        events: int,
        size: Size,
        skip_rss: bool,
    ) -> None:
        self.collector = collector
        self.collector_pid = collector_pid
        self.databases = databases
        self.home = home
        self.events = events
        self.size = size
        self.skip_rss = skip_rss
        self.history = 0
        self.segflow_rounds: list[dict[str, Any]] = []
        self.official_rounds: list[dict[str, Any]] = []
        self.results: dict[str, Any] = {}

    def segflow_child(self, role: str, database: str, **params: Any) -> dict[str, Any]:
        return run_child(role, self.params(params), child_env(self.home, database))

    def official_child(self, role: str, **params: Any) -> dict[str, Any]:
        return run_child(role, self.params(params), child_env(self.home))

    def params(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"collector": self.collector, "collector_pid": self.collector_pid, **params}

    def measure(self) -> None:
        events, samples, rounds = self.events, self.size.latency_samples, self.size.rounds
        for number in range(1, rounds + 1):
            of = f" (round {number} of {rounds})" if rounds > 1 else ""
            step(f"segflow: build and enqueue {events:,} messages, then deliver them{of}")
            with self.databases.fresh("throughput") as database:
                self.segflow_rounds.append(
                    self.segflow_child("segflow-throughput", database, events=events)
                )
            step(
                f"official: {events:,} track() calls, flush(), until the collector counts them{of}"
            )
            self.official_rounds.append(self.official_child("official-throughput", events=events))
        step(f"segflow: build_message() and enqueue() cost, {samples:,} calls")
        with self.databases.fresh("latency") as database:
            self.results["segflow_latency"] = self.segflow_child(
                "segflow-latency", database, samples=samples
            )
        step(f"official: track() cost, {samples:,} calls")
        self.results["official_latency"] = self.official_child("official-latency", samples=samples)
        if self.history:
            for history in (0, self.history):
                step(f"segflow: a turn's write and a claim, {history:,} delivered in the outbox")
                with self.databases.fresh(f"history{history}") as database:
                    self.results[f"history{history}"] = self.segflow_child(
                        "segflow-history", database, events=HISTORY_EVENTS, history=history
                    )
        if self.skip_rss:
            return
        for backlog in self.size.backlogs:
            step(f"peak RSS with a backlog of {backlog:,}: segflow sender draining it")
            with self.databases.fresh(f"backlog{backlog}") as database:
                self.segflow_child("segflow-backlog", database, events=backlog)
                self.results[f"drain{backlog}"] = self.segflow_child("segflow-drain", database)
            step(f"peak RSS with a backlog of {backlog:,}: official client holding it")
            self.results[f"hold{backlog}"] = self.official_child("official-hold", events=backlog)

    def report(self) -> str:
        ours = min(self.segflow_rounds, key=lambda result: result["send_s"])
        theirs = min(self.official_rounds, key=lambda result: result["total_s"])
        events = self.events
        delivered = per_second(events, ours["send_s"])
        end_to_end = per_second(events, ours["total_s"])
        official = per_second(theirs["collected"], theirs["total_s"])
        lost = events - theirs["collected"]
        problems = self.problems()
        out = [
            "Throughput",
            table(
                [
                    (
                        "delivered events/s (send phase)",
                        count(delivered),
                        count(official),
                        ratio(delivered, official),
                    ),
                    (
                        "end-to-end events/s (build+enqueue+send)",
                        count(end_to_end),
                        count(official),
                        ratio(end_to_end, official),
                    ),
                    (
                        "seconds: build / enqueue / send",
                        f"{ours['build_s']:.1f} / {ours['enqueue_s']:.1f} / {ours['send_s']:.1f}",
                        f"track {theirs['track_s']:.1f}, until counted {theirs['total_s']:.1f}",
                        "",
                    ),
                    (
                        "CPU µs per event: sender / collector (/ PostgreSQL)",
                        f"{ours['send_cpu_s'] / events * 1e6:.1f} / "
                        f"{ours['collector_cpu_s'] / events * 1e6:.1f}"
                        + (
                            f" / {ours['server_cpu_s'] / events * 1e6:.1f}"
                            if self.databases.is_postgresql
                            else ""
                        ),
                        f"{theirs['cpu_s'] / events * 1e6:.1f} / "
                        f"{theirs['collector_cpu_s'] / events * 1e6:.1f}",
                        "",
                    ),
                    (
                        "events counted by the collector",
                        count(ours["collected"]),
                        count(theirs["collected"]),
                        "",
                    ),
                    (
                        "requests (events per request)",
                        f"{ours['requests']:,} ({events / max(ours['requests'], 1):,.0f})",
                        f"{theirs['requests']:,} ({events / max(theirs['requests'], 1):,.0f})",
                        "",
                    ),
                    (
                        "JSON bytes per event",
                        count(ours["bytes_per_event"]),
                        count(theirs["bytes_per_event"]),
                        "",
                    ),
                    (
                        "events lost (queue full / on_error / uncounted)",
                        count(events - ours["collected"]),
                        f"{theirs['queue_full']:,} / {theirs['on_error']:,} / {lost:,}",
                        "",
                    ),
                ],
                ("", "segflow", "official", "segflow/official"),
            ),
            "  official: its consumer sends while track() runs, so its one figure is both rows.",
            *self.rounds_line(),
            "",
            "Cost per call, µs (segflow: enqueue inside an open transaction; "
            "official: track(), consumer stopped)",
            self.latency_table(),
        ]
        if not self.skip_rss:
            out += ["", "Peak RSS, MiB, by backlog", self.rss_table()]
        if self.history:
            out += ["", "A long delivered history (best of 3 rounds each)", self.history_table()]
        out += ["", "Targets", *self.targets(), ""]
        if problems:
            out += ["Problems", *(f"  ! {problem}" for problem in problems)]
        else:
            out.append("Correctness: every segflow message delivered once, none dead or left.")
        return "\n".join(out)

    def rounds_line(self) -> list[str]:
        if len(self.segflow_rounds) < 2:
            return []
        ours = ", ".join(count(per_second(self.events, r["send_s"])) for r in self.segflow_rounds)
        theirs = ", ".join(
            count(per_second(r["collected"], r["total_s"])) for r in self.official_rounds
        )
        return [
            f"  best of {len(self.segflow_rounds)} rounds; delivered events/s, segflow: "
            f"{ours}; official: {theirs}"
        ]

    def latency_table(self) -> str:
        ours, theirs = self.results["segflow_latency"], self.results["official_latency"]
        build, enqueue, committed = ours["build"], ours["enqueue"], ours["enqueue_commit"]
        track = theirs["track"]

        def row(label: str, figures: dict[str, float], versus: str = "") -> tuple[str, ...]:
            return (label, f"{figures['p50']:.1f}", f"{figures['p99']:.1f}", versus)

        both = {k: build[k] + enqueue[k] for k in ("p50", "p99")}
        return table(
            [
                row(
                    "segflow enqueue() (in an open transaction)",
                    enqueue,
                    f"{enqueue['p50'] / track['p50']:.2f}x",
                ),
                row("segflow build_message()", build),
                row(
                    "segflow build + enqueue (sum of the two)",
                    both,
                    f"{both['p50'] / track['p50']:.2f}x",
                ),
                row("segflow enqueue() with its own commit", committed),
                row("official track()", track),
            ],
            ("", "p50", "p99", "vs official p50"),
        )

    def history_table(self) -> str:
        runs = [self.results["history0"], self.results[f"history{self.history}"]]
        return table(
            [
                (
                    f"{run['history']:,} delivered",
                    f"{run['turn_write_p50_us']:.1f}",
                    f"{run['turn_write_cpu_us']:.1f}",
                    f"{run['claim_cpu_us']:.2f}",
                    f"{run['filled_s']:.0f}",
                )
                for run in runs
            ],
            (
                "outbox",
                f"turn write ({TURN_MESSAGES} messages) p50 µs",
                "turn write CPU µs",
                "claim+delivered CPU µs/event",
                "fill s",
            ),
        )

    def rss_table(self) -> str:
        backlogs = self.size.backlogs
        smallest, largest = backlogs[1], backlogs[-1]
        header = ("", *(f"{n:,}" for n in backlogs), f"{smallest:,} -> {largest:,}")
        drains = [self.results[f"drain{n}"] for n in backlogs]
        holds = [self.results[f"hold{n}"] for n in backlogs]
        drain_rates = [
            count(per_second(d["delivered"], d["seconds"])) if d["delivered"] else "-"
            for d in drains
        ]

        def growth(rows: list[dict[str, Any]]) -> str:
            return f"{(rows[-1]['peak_rss'] - rows[1]['peak_rss']) / 2**20:+,.0f}"

        return table(
            [
                (
                    "segflow sender draining N queued rows",
                    *(mib(d["peak_rss"]) for d in drains),
                    growth(drains),
                ),
                (
                    "official client holding N in its queue",
                    *(mib(h["peak_rss"]) for h in holds),
                    growth(holds),
                ),
                ("segflow drain events/s", *drain_rates, ""),
            ],
            header,
        )

    def targets(self) -> list[str]:
        ours = min(self.segflow_rounds, key=lambda result: result["send_s"])
        theirs = min(self.official_rounds, key=lambda result: result["total_s"])
        latency = self.results["segflow_latency"]["enqueue"]
        delivered = per_second(self.events, ours["send_s"])
        end_to_end = per_second(self.events, ours["total_s"])
        official = per_second(theirs["collected"], theirs["total_s"])
        target = (
            TARGET_POSTGRESQL_EVENTS_PER_SECOND
            if self.databases.is_postgresql
            else TARGET_EVENTS_PER_SECOND
        )
        server = (
            f", {ours['server_cpu_s'] / self.events * 1e6:.1f} in PostgreSQL"
            if self.databases.is_postgresql
            else ""
        )
        cpu = (
            f"(CPU {ours['send_cpu_s'] / self.events * 1e6:.1f} µs/event in the sender, "
            f"{ours['collector_cpu_s'] / self.events * 1e6:.1f} in the collector{server})"
        )
        lines = [
            _target(
                f"delivered >= {target:,} events/s",
                delivered >= target,
                f"{delivered:,.0f} {cpu}",
            ),
            _target(
                f"delivered >= {TARGET_DELIVERED_VS_OFFICIAL:.0f}x the official library",
                delivered >= TARGET_DELIVERED_VS_OFFICIAL * official,
                f"{delivered / official:.1f}x ({official:,.0f} events/s)",
            ),
            _target(
                f"end-to-end (build + enqueue + send) >= {TARGET_END_TO_END_VS_OFFICIAL:.0f}x "
                "the official library",
                end_to_end >= TARGET_END_TO_END_VS_OFFICIAL * official,
                f"{end_to_end / official:.1f}x ({end_to_end:,.0f} events/s)",
            ),
            _target(
                f"enqueue p50 <= {TARGET_ENQUEUE_P50_US:.0f} µs",
                latency["p50"] <= TARGET_ENQUEUE_P50_US,
                f"{latency['p50']:.1f} µs",
            ),
            _target(
                f"enqueue p99 <= {TARGET_ENQUEUE_P99_US:.0f} µs",
                latency["p99"] <= TARGET_ENQUEUE_P99_US,
                f"{latency['p99']:.1f} µs",
            ),
        ]
        if self.history:
            empty, full = self.results["history0"], self.results[f"history{self.history}"]
            for key, name in (
                ("claim_cpu_us", "claim + mark delivered, CPU µs/event"),
                ("turn_write_cpu_us", "a turn's write, CPU µs/turn"),
            ):
                lines.append(
                    _target(
                        f"{name} with {self.history:,} delivered <= "
                        f"{1 + HISTORY_ALLOWANCE:.2f}x an empty outbox",
                        full[key] <= (1 + HISTORY_ALLOWANCE) * empty[key],
                        f"{full[key]:.2f} vs {empty[key]:.2f} ({full[key] / empty[key]:.2f}x)",
                    )
                )
        if not self.skip_rss:
            smallest, largest = self.size.backlogs[1], self.size.backlogs[-1]
            growth = (
                self.results[f"drain{largest}"]["peak_rss"]
                - self.results[f"drain{smallest}"]["peak_rss"]
            )
            lines.append(
                _target(
                    f"segflow RSS flat from {smallest:,} to {largest:,} queued "
                    f"(<= +{FLAT_RSS_ALLOWANCE_MIB:.0f} MiB)",
                    growth <= FLAT_RSS_ALLOWANCE_MIB * 2**20,
                    f"{growth / 2**20:+,.0f} MiB",
                )
            )
        return lines

    def problems(self) -> list[str]:
        found = []
        for ours in self.segflow_rounds:
            counted = (ours["collected"], ours["reported_delivered"], ours["outbox_delivered"])
            if any(figure != self.events for figure in counted):
                found.append(
                    f"segflow: {self.events:,} queued, sender reported "
                    f"{ours['reported_delivered']:,}, outbox says {ours['outbox_delivered']:,} "
                    f"delivered, collector counted {ours['collected']:,}"
                )
            if ours["dead"] or ours["outbox_queued"] or ours["failed_attempts"]:
                found.append(
                    f"segflow: {ours['dead']} dead, {ours['outbox_queued']} left queued, "
                    f"{ours['failed_attempts']} failed attempts"
                )
        for theirs in self.official_rounds:
            if theirs["collected"] != self.events:
                found.append(
                    f"official: {self.events - theirs['collected']:,} of {self.events:,} events "
                    "never reached the collector"
                )
        if not self.skip_rss:
            for backlog in self.size.backlogs:
                drain = self.results[f"drain{backlog}"]
                if not drain["queued"] == drain["delivered"] == drain["collected"] == backlog:
                    found.append(f"segflow drain of {backlog:,}: {drain}")
                if drain["left"]:
                    found.append(f"segflow drain of {backlog:,}: {drain['left']:,} left queued")
        return found


def _target(name: str, met: bool, figure: str) -> str:
    return f"  [{'met' if met else 'MISSED'}] {name}: {figure}"


def run_script(
    children: Mapping[str, Callable[[dict[str, Any]], dict[str, Any]]], main: Callable[[], None]
) -> None:
    """A benchmark script's entry: `main`, or in a child that `run_child` started, the
    measurement it names, answered with one line of JSON."""
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        print(json.dumps(children[sys.argv[2]](json.loads(sys.argv[3]))), flush=True)
    else:
        main()


if __name__ == "__main__":
    run_script(CHILDREN, main)
