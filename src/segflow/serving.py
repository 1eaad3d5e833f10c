"""Running segflow's HTTP servers (the chat API, the collector): sockets, uvicorn settings,
a server on a thread of its own, so one process can run several beside a sender, and a
server on several processes forked from it."""

from __future__ import annotations

import contextlib
import gc
import os
import select
import signal
import socket
import sys
import threading
import time
import traceback
from collections.abc import Sequence
from typing import NoReturn

import uvicorn
from fastapi.telemetry import TelemetryConfig
from starlette.types import ASGIApp

from segflow.errors import SegflowError
from segflow.one_cpu import keep_on


class ListenError(SegflowError):
    """A server cannot listen where it was asked to (the port is taken, the host unknown)."""


def fastapi_telemetry() -> TelemetryConfig:
    """FastAPI's OpenTelemetry traces, metrics and logs: on when the environment sets
    OpenTelemetry up (an `OTEL_…` or `FASTAPI_OTEL_…` variable, as `opentelemetry-instrument`
    and exporters are configured), off otherwise. Left on, FastAPI looks for a configured
    provider at every request: about 5 µs of CPU each, for nothing when there is none."""
    wanted = any(name.startswith(("OTEL_", "FASTAPI_OTEL_")) for name in os.environ)
    return {"tracing": wanted, "metrics": wanted, "logs": wanted}


def listen(host: str, port: int, *, service: str) -> socket.socket:
    """A socket bound to host:port, ready for uvicorn; `service` names the server in errors."""
    try:
        family, kind, proto, _name, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM
        )[0]
        # With proto IPPROTO_TCP asyncio turns Nagle off (TCP_NODELAY) on accepted connections:
        # without it each answer waits ~40 ms for a delayed ACK.
        listener = socket.socket(family, kind, proto)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(address)
    except OSError as error:
        raise ListenError(f"{service}: cannot listen on {host}:{port}: {error}") from error
    return listener


def url_of(listener: socket.socket) -> str:
    host, port = listener.getsockname()[:2]
    return f"http://{f'[{host}]' if ':' in host else host}:{port}"


def uvicorn_config(app: ASGIApp) -> uvicorn.Config:
    """The uvicorn settings of every segflow server (and of the benchmarks' baseline)."""
    return uvicorn.Config(
        app, log_level="warning", access_log=False, lifespan="off", timeout_graceful_shutdown=5
    )


def freeze_startup_heap() -> None:
    """Leaves what the process holds once started (modules, apps, settings) out of the garbage
    collector's passes from now on. A batch of messages makes thousands of objects, which sets
    off passes; each of the oldest generation would otherwise walk all of it again."""
    gc.collect()
    gc.freeze()


class ServerThread:
    """A uvicorn server on its own thread and event loop, serving a socket bound beforehand.

    Off the main thread uvicorn leaves signals alone: whoever starts it decides when to stop.
    """

    def __init__(self, app: ASGIApp, listener: socket.socket, *, name: str) -> None:
        self.url = url_of(listener)
        self._server = uvicorn.Server(uvicorn_config(app))
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [listener]}, name=name, daemon=True
        )

    def start(self, timeout: float = 30.0) -> None:
        """Starts serving; returns once the server accepts connections."""
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise SegflowError(f"The server for {self.url} did not start")
            time.sleep(0.01)

    def is_alive(self) -> bool:
        return self._thread.is_alive()

    def stop(self) -> None:
        """Stops accepting, lets requests in progress finish, and returns once it has."""
        self._server.should_exit = True
        if self._thread.ident is not None:
            self._thread.join()


class ServerProcesses:
    """`count` processes forked from this one, each serving `app` on the same socket (the
    kernel hands each new connection to one of them): the chat API on several cores.

    Forked before this process starts any thread; each worker opens database connections of
    its own (see segflow.store.db). Ctrl+C reaches every process of the terminal: the workers
    ignore it and stop when this process asks them to (SIGTERM), or when it is gone. With
    `cpus`, worker N keeps to the Nth of them (see segflow.one_cpu).
    """

    def __init__(
        self,
        app: ASGIApp,
        listener: socket.socket,
        *,
        count: int,
        name: str,
        cpus: Sequence[int] = (),
    ) -> None:
        self.url = url_of(listener)
        self._app = app
        self._listener = listener
        self._count = count
        self._name = name
        self._cpus = cpus
        self._running: dict[int, int] = {}  # process ID: worker number, while it runs

    @property
    def pids(self) -> list[int]:
        return list(self._running)

    def start(self, timeout: float = 30.0) -> None:
        """Forks the workers; returns once each of them accepts connections."""
        ready: dict[int, int] = {}  # the read end of each worker's "I serve" pipe: its number
        # What this process holds so far stays out of the collector's sight: its passes would
        # write to every object, so each worker would copy every page it shares with this one.
        freeze_startup_heap()
        for number in range(1, self._count + 1):
            readable, writable = os.pipe()
            pid = os.fork()
            if pid == 0:
                os.close(readable)
                cpu = self._cpus[number - 1] if self._cpus else None
                _serve_forked(self._app, self._listener, writable, f"{self._name}-{number}", cpu)
            os.close(writable)
            self._running[pid] = number
            ready[readable] = number
        deadline = time.monotonic() + timeout
        try:
            while ready:
                left = deadline - time.monotonic()
                answered, _, _ = select.select(list(ready), [], [], max(left, 0))
                if not answered:
                    late = ", ".join(str(number) for number in ready.values())
                    raise SegflowError(f"{self.url}: worker(s) {late} did not start in time")
                for readable in answered:
                    if not os.read(readable, 1):  # closed: the worker exited
                        raise SegflowError(
                            f"{self.url}: worker {ready[readable]} stopped while starting "
                            "(see above)"
                        )
                    os.close(readable)
                    del ready[readable]
        finally:
            for readable in ready:
                os.close(readable)
        self._listener.close()  # the workers serve it

    def is_alive(self) -> bool:
        """Whether every worker still runs (one that stopped by itself is named on stderr)."""
        for pid, number in list(self._running.items()):
            if os.waitpid(pid, os.WNOHANG)[0] == pid:
                del self._running[pid]
                print(f"{self.url}: worker {number} stopped", file=sys.stderr, flush=True)
                return False
        return True

    def stop(self) -> None:
        """Asks every worker to stop (each finishes its requests in progress) and waits."""
        for pid in self._running:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
        for pid in list(self._running):
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, 0)
            del self._running[pid]


def _serve_forked(
    app: ASGIApp, listener: socket.socket, ready: int, name: str, cpu: int | None
) -> NoReturn:
    """A worker's life: serve until asked to stop, or until the process that forked it is gone;
    tells it when serving by writing to `ready`. Kept on `cpu` if given. Never returns."""
    code = 1
    try:
        if cpu is not None:
            keep_on(cpu)
        stopping: list[int] = []  # a signal handler only appends (see segflow.cli.stop_signals)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, lambda signum, _frame: stopping.append(signum))
        parent = os.getppid()
        server = ServerThread(app, listener, name=name)
        server.start()
        os.write(ready, b"1")
        os.close(ready)
        while not stopping and server.is_alive() and os.getppid() == parent:
            time.sleep(0.1)
        code = 0 if server.is_alive() else 1
        server.stop()
    except BaseException:
        traceback.print_exc()
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)  # none of the parent's exit handlers: they are its own
