"""Scale-out benchmark on PostgreSQL: chat turns with 1, 2 and 4 API workers
(`segflow serve --workers N`), and delivery with 1, 2 and 4 `segflow deliver` processes.

For each it prints the rate (turns/s, events/s) and the CPU each unit cost: the whole
`segflow serve` process tree's per turn (its workers, and the main process's sender and
built-in collector), the senders' per event. A bigger machine gives more of the rate only as
long as the CPU per unit stays flat as processes are added: on a machine with fewer cores
than processes the rate cannot grow, and the CPU per unit is the figure to read.

- Chat turns: each worker count on a fresh database; `--clients` threads of this process each
  chat through the example flow from startChat to its end, over and over, on a keep-alive
  connection of their own (the kernel hands each connection to one worker).
- Delivery: each sender count on a fresh database with four Segment accounts, all pointing at
  one `segflow collector --no-store`. The senders start on an empty outbox; then `--events`
  messages, spread over the four accounts, are queued in one transaction, and the clock runs
  until none is left. An account's messages go out in order, one sender at a time, so up to
  four senders can share this backlog.

    python bench/scale.py                          # about 3 minutes
    python bench/scale.py --seconds 5 --events 20000   # a quick look
    python bench/scale.py --database-url postgresql://postgres@127.0.0.1:5432/postgres

The URL names a PostgreSQL server; the benchmark creates its own databases there and drops
them when done.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import psutil
from chat_api import chat, database, free_port

DEFAULT_SERVER = "postgresql://postgres@127.0.0.1:5432/postgres"
COUNTS = (1, 2, 4)
ACCOUNTS = 4
READY = "segflow deliver is sending. Press Ctrl+C to stop."


@dataclass(frozen=True)
class Measured:
    processes: int
    units: int
    seconds: float
    cpu_seconds: float
    note: str = ""
    workers_cpu_seconds: float = 0.0  # of the forked API workers, when there are some

    @property
    def per_second(self) -> float:
        return self.units / self.seconds

    @property
    def cpu_per_unit(self) -> float:
        return self.cpu_seconds / max(self.units, 1)


def cpu(pid: int) -> tuple[float, float]:
    """CPU seconds (user + system, all threads) so far of a process, and of its children."""
    parent = psutil.Process(pid)
    own, children = 0.0, 0.0
    for process in [parent, *parent.children(recursive=True)]:
        try:
            times = process.cpu_times()
        except psutil.NoSuchProcess:
            continue
        if process.pid == pid:
            own = times.user + times.system
        else:
            children += times.user + times.system
    return own, children


@contextmanager
def started(command: list[str], log: Path, env: dict[str, str], ready: str) -> Iterator[int]:
    """A segflow subprocess (its pid) from when its output shows `ready` until the block ends
    (then SIGTERM: it stops as a user's Ctrl+C would stop it)."""
    with log.open("wb") as output:
        process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT, env=env)
    try:
        ends = time.monotonic() + 120
        while ready not in log.read_text(errors="replace"):
            if process.poll() is not None or time.monotonic() > ends:
                raise SystemExit(f"{' '.join(command)} did not start:\n{log.read_text()}")
            time.sleep(0.05)
        yield process.pid
    finally:
        process.terminate()
        try:
            process.wait(60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# -- chat turns --------------------------------------------------------------------------------


def turns_with_workers(
    workers: int, server_url: str, workdir: Path, env: dict[str, str], args: argparse.Namespace
) -> Measured:
    with database(workdir, server_url, "") as database_url:
        port = free_port()
        command = [
            *(sys.executable, "-m", "segflow", "--database-url", database_url, "serve"),
            *("--port", str(port), "--workers", str(workers)),
        ]
        log = workdir / f"serve-{workers}.log"
        with started(command, log, env, "  Database ") as pid:
            url = f"http://127.0.0.1:{port}"
            count, (own, children) = drive(url, pid, clients=args.clients, seconds=args.seconds)
    # With one worker the chat API runs in the main process, beside the sender and collector.
    return Measured(workers, count, args.seconds, own + children, "", children)


def drive(url: str, pid: int, *, clients: int, seconds: float) -> tuple[int, tuple[float, float]]:
    """Turns done by `clients` chatting threads in `seconds` after a warm-up, and the server's
    CPU seconds meanwhile: its main process's, and its workers'."""
    counting = threading.Event()
    stopping = threading.Event()
    counts: list[int] = []
    failures: list[BaseException] = []

    def client() -> None:
        done = 0
        with httpx.Client(base_url=url, timeout=60) as http:

            def post(path: str, body: dict[str, object]) -> dict[str, object]:
                nonlocal done
                answer = http.post(path, json=body)
                answer.raise_for_status()
                if counting.is_set() and not stopping.is_set():
                    done += 1
                result: dict[str, object] = answer.json()
                return result

            try:
                while not stopping.is_set():
                    chat(post)
            except Exception as error:
                failures.append(error)
        counts.append(done)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    time.sleep(3.0)  # warm-up: connections open, flows cached
    before = cpu(pid)
    counting.set()
    time.sleep(seconds)
    stopping.set()
    after = cpu(pid)
    for thread in threads:
        thread.join()
    if failures:
        raise SystemExit(f"{len(failures)} client(s) failed; the first: {failures[0]!r}")
    return sum(counts), (after[0] - before[0], after[1] - before[1])


# -- delivery ----------------------------------------------------------------------------------


def delivery_with_senders(
    senders: int, server_url: str, workdir: Path, env: dict[str, str], args: argparse.Namespace
) -> Measured:
    from segflow.segment import TrackEvent, build_message
    from segflow.service import Segflow
    from segflow.settings import Settings

    with (
        database(workdir, server_url, "") as database_url,
        collector(workdir, env) as collector_url,
    ):
        segflow = Segflow.open(Settings(database_url=database_url, collector_url=collector_url))
        try:
            accounts = [
                segflow.destinations.add(f"account-{n}", f"write-key-{n:04d}", collector_url)
                for n in range(ACCOUNTS)
            ]
            command = [sys.executable, "-m", "segflow", "--database-url", database_url, "deliver"]
            with ExitStack() as running:
                pids = [
                    running.enter_context(
                        started(command, workdir / f"deliver-{senders}-{n}.log", env, READY)
                    )
                    for n in range(senders)
                ]
                messages = [
                    build_message(TrackEvent(event_name=f"Event {n}", user_id=f"user-{n % 97}"))
                    for n in range(args.events)
                ]
                with segflow.database.engine.begin() as connection:
                    for number, account in enumerate(accounts):
                        share = messages[number::ACCOUNTS]
                        segflow.outbox.enqueue_many(share, account.id, connection=connection)
                before = sum(sum(cpu(pid)) for pid in pids)
                began = time.monotonic()
                while segflow.outbox.pending():
                    if time.monotonic() - began > 600:
                        raise SystemExit("The senders did not deliver the backlog in 10 minutes")
                    time.sleep(0.02)
                took = time.monotonic() - began
                used = sum(sum(cpu(pid)) for pid in pids) - before
            counts = segflow.outbox.counts()
            received = collector_events(collector_url)
        finally:
            segflow.close()
    delivered = sum(count.delivered for count in counts)
    dead = sum(count.dead for count in counts)
    note = f"{delivered:,} delivered, {dead} dead, the collector counted {received:,}"
    return Measured(senders, delivered, took, used, note)


@contextmanager
def collector(workdir: Path, env: dict[str, str]) -> Iterator[str]:
    port = free_port()
    command = [sys.executable, "-m", "segflow", "collector", "--port", str(port), "--no-store"]
    with started(command, workdir / f"collector-{port}.log", env, str(port)):
        url = f"http://127.0.0.1:{port}"
        ends = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{url}/health", timeout=1):
                    break
            except OSError:
                if time.monotonic() > ends:
                    raise SystemExit("The collector did not answer /health in 30 s") from None
                time.sleep(0.1)
        yield url


def collector_events(url: str) -> int:
    import json

    with urllib.request.urlopen(f"{url}/stats", timeout=10) as answer:
        return int(json.loads(answer.read())["events"])


# -- the run -----------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_SERVER, help="a PostgreSQL server")
    parser.add_argument("--clients", type=int, default=8, help="chatting threads (default 8)")
    parser.add_argument("--seconds", type=float, default=15, help="measured, per worker count")
    parser.add_argument(
        "--events", type=int, default=60_000, help="backlog per sender count (default 60,000)"
    )
    parser.add_argument(
        "--only", choices=("turns", "delivery"), help="run one of the two parts (default both)"
    )
    parser.add_argument(
        "--counts", type=int, nargs="+", default=list(COUNTS), help="processes (default 1 2 4)"
    )
    args = parser.parse_args()
    cores = os.cpu_count() or 1
    print(
        f"Scale-out benchmark on PostgreSQL: {cores} CPU cores on this machine, load average "
        f"{os.getloadavg()[0]:.1f} before.\nWith more processes than cores the rate cannot "
        "grow here; a bigger machine gives the growth the CPU per unit allows: if it stays "
        "flat, N processes on N free cores give about N times the rate of one.",
        flush=True,
    )
    with tempfile.TemporaryDirectory(prefix="segflow-bench-scale-") as folder:
        workdir = Path(folder)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("SEGFLOW_", "SEGMENT_"))}
        env |= {
            "SEGFLOW_HOME": str(workdir / "home"),
            "SEGFLOW_COLLECTOR_URL": f"http://127.0.0.1:{free_port()}",
            "SEGFLOW_NEW_CHATS_PER_MINUTE": "0",  # every client has one address
        }
        os.environ["SEGFLOW_HOME"] = env["SEGFLOW_HOME"]  # one secret key for every process

        if args.only != "delivery":
            print_turns(args, workdir, env)
        if args.only != "turns":
            print_delivery(args, workdir, env)
    print(f"\nLoad average after: {os.getloadavg()[0]:.1f} on {cores} cores.")


def print_turns(args: argparse.Namespace, workdir: Path, env: dict[str, str]) -> None:
    print(f"\nChat turns, {args.clients} clients, {args.seconds:g} s per worker count:")
    print(
        f"  {'API workers':<12} {'turns/s':>8} {'x of 1':>7} {'CPU ms per turn':>16}"
        "   of which the workers' (the rest: the main process's sender and collector)"
    )
    turns = []
    for workers in args.counts:
        measured = turns_with_workers(workers, args.database_url, workdir, env, args)
        turns.append(measured)
        in_workers = measured.workers_cpu_seconds / max(measured.units, 1) * 1000
        split = f"{in_workers:.2f} ms" if workers > 1 else "(one process)"
        print(f"{row(measured, turns[0], 1000, 'ms')}   {split}", flush=True)


def print_delivery(args: argparse.Namespace, workdir: Path, env: dict[str, str]) -> None:
    print(f"\nDelivery, {args.events:,} events over {ACCOUNTS} Segment accounts:")
    print(f"  {'senders':<12} {'events/s':>8} {'x of 1':>7} {'CPU µs per event':>16}")
    sent = []
    for senders in args.counts:
        measured = delivery_with_senders(senders, args.database_url, workdir, env, args)
        sent.append(measured)
        print(f"{row(measured, sent[0], 1_000_000, 'µs')}   {measured.note}", flush=True)


def row(measured: Measured, first: Measured, scale: int, unit: str) -> str:
    growth = measured.per_second / first.per_second
    cpu = f"{measured.cpu_per_unit * scale:.2f} {unit}"
    return f"  {measured.processes:<12} {measured.per_second:>8,.0f} {growth:>6.2f}x {cpu:>16}"


if __name__ == "__main__":
    main()
