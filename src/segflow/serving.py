"""Running segflow's HTTP servers (the chat API, the collector): sockets, uvicorn settings,
and a server on a thread of its own, so one process can run several beside a sender."""

from __future__ import annotations

import socket
import threading
import time

import uvicorn
from starlette.types import ASGIApp

from segflow.errors import SegflowError


class ListenError(SegflowError):
    """A server cannot listen where it was asked to (the port is taken, the host unknown)."""


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
