"""Chat API benchmark: chat turns per second over HTTP, next to a bare FastAPI JSON endpoint.

Both servers run as subprocesses with the same uvicorn settings (`segflow.serving.uvicorn_config`),
one after the other on this machine, under the same load: a fixed number of client threads,
each with its own keep-alive httpx client, for a fixed time after a warm-up. The chat server is
`segflow serve` as a user runs it: chat API, sender thread and built-in collector in one
process, kept on one CPU (SEGFLOW_ONE_CPU_PER_PROCESS=false in the benchmark's environment lets
it move; each line tells on how many CPUs the server ran). Each client chats through the
example flow from startChat to its end, over and over.
The bare endpoint takes and returns a small JSON body through pydantic models, nothing else.

The same server then runs the same chats through its Typebot-compatible API, with the bodies
Typebot's web embed sends (startChat with `isStreamEnabled`..., answers as
`{"type": "text", "text": ...}`), next to segflow's own endpoints: both present the same
engine's turns, so the Typebot shapes should cost within 10% of segflow's own.

Besides requests per second it reports the server's CPU time per request (all its threads),
which stays meaningful when the machine is shared (on PostgreSQL, beside it, the CPU time of the
PostgreSQL server processes serving the chats' database: they share this machine's cores),
and its thread switches per request (on
Linux: each thread put to sleep or woken, when a turn is handed to a thread and back or a
thread waits on the GIL), and checks that the sender delivered every Segment message the
chats queued.

    python bench/chat_api.py                  # SQLite (WAL) in a temporary folder
    python bench/chat_api.py --seconds 5 --rounds 1   # a quick look
    python bench/chat_api.py --database-url postgresql://postgres@127.0.0.1:5432/postgres

With --database-url, the URL names a PostgreSQL server and a database to connect to there; the
benchmark creates its own database on that server and drops it when done.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import platform
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psutil
import uvicorn
from delivery import processes_cpu
from fastapi import FastAPI
from pydantic import BaseModel

from segflow.serving import fastapi_telemetry, listen, uvicorn_config

TARGET_RATIO = 0.5
TYPEBOT_TARGET_RATIO = 0.9  # Typebot-compatible turns per second, to segflow's own
FLOW = "lead-capture"
ANSWERS = ("Ada", "ada@example.com", "Team", "3")  # from startChat to the end of the flow
# The same, as Typebot's embed sends them: a button answers with its item's value (its ID).
TYPEBOT_ANSWERS = ("Ada", "ada@example.com", "team", "3")
EMBED_START = {"isStreamEnabled": True, "prefilledVariables": {}, "isOnlyRegistering": False}

Post = Callable[[str, dict[str, object]], dict[str, object]]
Work = Callable[[Post], None]


# -- the baseline server -----------------------------------------------------------------------


class Message(BaseModel):
    message: str


class Reply(BaseModel):
    messages: list[str]
    status: str


def serve_bare(port: int) -> None:
    """One FastAPI JSON endpoint, on the uvicorn and FastAPI settings segflow serves with."""
    app = FastAPI(telemetry=fastapi_telemetry())

    @app.post("/turn")
    async def turn(message: Message) -> Reply:
        return Reply(messages=[message.message], status="active")

    @app.get("/healthz")
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    uvicorn.Server(uvicorn_config(app)).run(sockets=[listen("127.0.0.1", port, service="bare")])


# -- running a server --------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def running(command: list[str], url: str, workdir: Path, env: dict[str, str]) -> Iterator[int]:
    """A server subprocess (its pid), from when it answers /healthz until the block ends."""
    log_path = workdir / f"server-{uuid.uuid4().hex[:6]}.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env)
    try:
        ends = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise SystemExit(f"{command} exited:\n{log_path.read_text()}")
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > ends:
                raise SystemExit(f"{command} did not answer /healthz in 60 s")
            time.sleep(0.1)
        yield process.pid
    finally:
        process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# -- load --------------------------------------------------------------------------------------


@dataclass
class Load:
    """What the clients got done in the measured time, and what it cost the server."""

    seconds: float
    latencies: list[float] = field(default_factory=list)
    server_cpu_seconds: float = 0.0
    server_switches: int | None = None  # thread switches of all the server's threads (Linux)
    database_cpu_seconds: float | None = None  # PostgreSQL's processes serving the chats
    server_cpus: int | None = None  # how many CPUs the server may run on (Linux)

    @property
    def requests(self) -> int:
        return len(self.latencies)

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds

    @property
    def cpu_ms_per_request(self) -> float:
        return self.server_cpu_seconds / max(self.requests, 1) * 1000

    @property
    def database_cpu(self) -> str:
        if self.database_cpu_seconds is None:
            return ""
        per_request = self.database_cpu_seconds / max(self.requests, 1) * 1000
        return f" (+ PostgreSQL {per_request:.2f} ms)"

    @property
    def switches_per_request(self) -> str:
        if self.server_switches is None:
            return "n/a"
        return f"{self.server_switches / max(self.requests, 1):.1f}"

    @property
    def on_cpus(self) -> str:
        if self.server_cpus is None:
            return ""
        return f", on {self.server_cpus} of {os.cpu_count()} CPUs"

    def percentile_ms(self, fraction: float) -> float:
        ordered = sorted(self.latencies) or [0.0]
        return ordered[min(int(len(ordered) * fraction), len(ordered) - 1)] * 1000


def drive(
    url: str,
    server: int,
    work: Work,
    *,
    clients: int,
    seconds: float,
    warmup: float,
    database_url: str | None = None,
) -> Load:
    """`clients` threads repeat `work` for warmup + seconds; only the last `seconds` count.
    With the `database_url` of a PostgreSQL database, the CPU of its server processes counts
    too."""
    load = Load(seconds=seconds)
    failures: list[BaseException] = []
    lock = threading.Lock()
    counting_from = time.monotonic() + warmup
    ends = counting_from + seconds

    def client() -> None:
        latencies: list[float] = []
        with httpx.Client(base_url=url, timeout=60) as http:

            def post(path: str, body: dict[str, object]) -> dict[str, object]:
                sent = time.perf_counter()
                response = http.post(path, json=body)
                took = time.perf_counter() - sent
                response.raise_for_status()
                if counting_from <= time.monotonic() < ends:
                    latencies.append(took)
                answer: dict[str, object] = response.json()
                return answer

            try:
                while time.monotonic() < ends:
                    work(post)
            except Exception as error:
                failures.append(error)
        with lock:
            load.latencies += latencies

    def server_cpu() -> None:
        process = psutil.Process(server)
        time.sleep(max(counting_from - time.monotonic(), 0))
        before, switched = process.cpu_times(), thread_switches(server)
        serving = database_cpu_seconds(database_url)
        time.sleep(max(ends - time.monotonic(), 0))
        after, switches = process.cpu_times(), thread_switches(server)
        load.server_cpu_seconds = (after.user - before.user) + (after.system - before.system)
        if database_url is not None and database_url.startswith("postgresql"):
            served = database_cpu_seconds(database_url)
            load.database_cpu_seconds = sum(
                seconds - serving.get(pid, 0.0) for pid, seconds in served.items()
            )
        if switched is not None and switches is not None:
            load.server_switches = switches - switched
        if hasattr(process, "cpu_affinity"):
            load.server_cpus = len(process.cpu_affinity())

    threads = [threading.Thread(target=client) for _ in range(clients)]
    threads.append(threading.Thread(target=server_cpu))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise SystemExit(f"{len(failures)} client(s) failed; the first: {failures[0]!r}")
    return load


def database_cpu_seconds(database_url: str | None) -> dict[int, float]:
    """CPU seconds so far of each PostgreSQL server process serving the database (the server
    runs on this machine); empty on SQLite, which runs inside the chat server."""
    if database_url is None or not database_url.startswith("postgresql"):
        return {}
    import psycopg

    with psycopg.connect(database_url) as connection:
        pids = connection.execute(
            "SELECT pid FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ).fetchall()
    return processes_cpu(pid for (pid,) in pids)


def thread_switches(pid: int) -> int | None:
    """The context switches of all of a process's threads so far (a thread that ends in
    between is not counted), from Linux's /proc; None elsewhere. Each is a thread put to
    sleep or woken: the cost of handing work between threads and of their waits on the GIL."""
    tasks = Path(f"/proc/{pid}/task")
    if not tasks.is_dir():
        return None
    total = 0
    for status in tasks.glob("*/status"):
        try:
            lines = status.read_text().splitlines()
        except OSError:  # the thread ended meanwhile
            continue
        total += sum(int(line.split()[1]) for line in lines if "ctxt_switches:" in line)
    return total


def bare_turn(post: Post) -> None:
    post("/turn", {"message": "Ada"})


def chat(post: Post) -> None:
    """One whole chat: startChat, then an answer to each input until the flow ends."""
    session = post(f"/api/v1/flows/{FLOW}/startChat", {})["sessionId"]
    for message in ANSWERS:
        if post(f"/api/v1/sessions/{session}/continueChat", {"message": message})["input"] is None:
            return


def typebot_chat(post: Post) -> None:
    """The same chat through the Typebot-compatible API, with the embed's bodies."""
    session = post(f"/api/v1/typebots/{FLOW}/startChat", dict(EMBED_START))["sessionId"]
    for text in TYPEBOT_ANSWERS:
        body: dict[str, object] = {"message": {"type": "text", "text": text}}
        if "input" not in post(f"/api/v1/sessions/{session}/continueChat", body):
            return


# -- the database ------------------------------------------------------------------------------


@contextmanager
def database(workdir: Path, server_url: str | None, file_name: str) -> Iterator[str]:
    """SQLite in the work folder, or a database of its own on the PostgreSQL server given."""
    if server_url is None:
        yield f"sqlite:///{workdir / file_name}"
        return
    import psycopg
    from sqlalchemy.engine import make_url

    server = make_url(server_url).set(drivername="postgresql")
    admin = server.render_as_string(hide_password=False)
    name = f"segflow_bench_chat_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def wait_for_delivery(database_url: str, timeout: float) -> tuple[int, int, float]:
    """(messages queued in all, still waiting, seconds waited) once the outbox is empty."""
    from segflow.delivery import Outbox
    from segflow.store import open_database

    opened = open_database(database_url, migrate=False)
    started = time.monotonic()
    try:
        while True:
            counts = Outbox(opened).counts()
            waiting = sum(count.queued for count in counts)
            if not waiting or time.monotonic() - started > timeout:
                done = sum(count.delivered + count.dead for count in counts)
                return waiting + done, waiting, time.monotonic() - started
            time.sleep(0.1)
    finally:
        opened.dispose()


# -- the run -----------------------------------------------------------------------------------


def uvicorn_stack() -> str:
    """The event loop and HTTP parser uvicorn picks by itself ("auto"): the fast ones when
    installed."""
    loop = "uvloop" if importlib.util.find_spec("uvloop") else "asyncio"
    http = "httptools" if importlib.util.find_spec("httptools") else "h11"
    return f"{loop} + {http}"


def line(label: str, load: Load, unit: str) -> str:
    return (
        f"  {label:<28} {load.per_second:>7,.0f} {unit}/s  "
        f"p50 {load.percentile_ms(0.5):5.1f} ms  p99 {load.percentile_ms(0.99):6.1f} ms  "
        f"server CPU {load.cpu_ms_per_request:.2f} ms{load.database_cpu}, "
        f"{load.switches_per_request} thread switches per {unit}{load.on_cpus}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients (default 8)")
    parser.add_argument("--seconds", type=float, default=20, help="measured, per server")
    parser.add_argument("--warmup", type=float, default=3, help="unmeasured, per server")
    parser.add_argument("--database-url", help="a PostgreSQL server (default: SQLite)")
    parser.add_argument(
        "--rounds", type=int, default=2, help="rounds of each chat API, the best counts"
    )
    parser.add_argument("--bare-server", type=int, metavar="PORT", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.bare_server:
        serve_bare(args.bare_server)
        return

    with tempfile.TemporaryDirectory(prefix="segflow-bench-chat-") as folder:
        workdir = Path(folder)
        env = {
            **os.environ,
            "SEGFLOW_HOME": str(workdir / "home"),
            "SEGFLOW_COLLECTOR_URL": f"http://127.0.0.1:{free_port()}",
            # Every client of the benchmark has one address: no limit on its new chats.
            "SEGFLOW_NEW_CHATS_PER_MINUTE": "0",
        }
        for name in ("SEGFLOW_DATABASE_URL", "SEGMENT_WRITE_KEY", "SEGMENT_ENDPOINT"):
            env.pop(name, None)
        shape = {"clients": args.clients, "seconds": args.seconds, "warmup": args.warmup}
        print(
            f"Chat API benchmark: {args.clients} clients, {args.seconds:g} s per server after "
            f"{args.warmup:g} s of warm-up, {'PostgreSQL' if args.database_url else 'SQLite'}, "
            f"Python {platform.python_version()}, uvicorn on {uvicorn_stack()}, "
            f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} before",
            flush=True,
        )

        url = f"http://127.0.0.1:{free_port()}"
        bare_command = [sys.executable, __file__, "--bare-server", url.rsplit(":", 1)[1]]
        with running(bare_command, url, workdir, env) as server:
            bare = drive(url, server, bare_turn, **shape)
        print(line("bare FastAPI JSON endpoint", bare, "request"), flush=True)

        # The two APIs in turns, each on a fresh server and database; the best round of each
        # counts, as other processes only ever slow a round down.
        best: dict[str, tuple[Load, str]] = {}
        for round_number in range(args.rounds):
            for api, work in (("segflow", chat), ("typebot", typebot_chat)):
                name = f"{api}-{round_number}.db"
                load, sent = chat_server(workdir, args.database_url, env, work, shape, name)
                if api not in best or load.per_second > best[api][0].per_second:
                    best[api] = (load, sent)
        (turns, sent), (typebot, typebot_sent) = best["segflow"], best["typebot"]
        print(line("segflow chat turns", turns, "turn"))
        print(sent)
        ratio = turns.per_second / bare.per_second
        print(f"  {'ratio chat / bare':<28} {ratio:>7.2f}  (target >= {TARGET_RATIO})")
        print(line("Typebot-compatible turns", typebot, "turn"))
        print(typebot_sent)
        ratio = typebot.per_second / turns.per_second
        cpu = typebot.cpu_ms_per_request / turns.cpu_ms_per_request
        print(
            f"  {'ratio Typebot / segflow':<28} {ratio:>7.2f}  turns/s; server CPU per turn "
            f"{cpu:.2f}x (target: turns/s >= {TYPEBOT_TARGET_RATIO})"
        )


def chat_server(
    workdir: Path,
    server_url: str | None,
    env: dict[str, str],
    work: Work,
    shape: dict[str, Any],
    file_name: str,
) -> tuple[Load, str]:
    """`segflow serve` on a database of its own under `work`'s load, and a line that says
    whether every Segment message the chats queued was delivered."""
    with database(workdir, server_url, file_name) as database_url:
        url = f"http://127.0.0.1:{free_port()}"
        command = [sys.executable, "-m", "segflow", "--database-url", database_url, "serve"]
        with running([*command, "--port", url.rsplit(":", 1)[1]], url, workdir, env) as server:
            load = drive(url, server, work, **shape, database_url=database_url)
            queued, waiting, waited = wait_for_delivery(database_url, timeout=60)
    delivered = (
        f"all delivered {waited:.1f} s after the load"
        if not waiting
        else (f"{waiting:,} still queued after {waited:.0f} s")
    )
    return load, f"  {'Segment messages':<28} {queued:>7,}  queued by the chats; {delivered}"


if __name__ == "__main__":
    main()
