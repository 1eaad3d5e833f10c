"""Answering only to the host names a local service is served under (DNS rebinding).

A web page on evil.example can make its own name resolve to 127.0.0.1 and then read, as
same-origin, whatever a service on this machine answers: the collector's events, the
editor. Its requests carry `Host: evil.example`, though. So the collector and the Flow
Editor answer only to the loopback names, the address the request came in on (what you
type to reach a server by its IP), and the names in SEGFLOW_ALLOWED_HOSTS; anything else
gets 421. The public chat API answers to any name: it is meant for websites.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence

import orjson
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})
ANY_HOST = "*"
STATUS = 421  # Misdirected Request: this server does not serve that name


def parse_hosts(setting: str) -> frozenset[str]:
    """Host names (or `*` for any) separated by commas: `segflow.example.com,10.0.0.5`."""
    return frozenset(filter(None, (host_name(part) for part in setting.split(","))))


def host_name(host: str) -> str:
    """The name in a Host header: `[::1]:8000` gives `::1`, `Example.COM.:80` `example.com`."""
    host = host.strip().lower()
    if host.startswith("["):  # an IPv6 address, maybe with a port after the bracket
        return host[1:].partition("]")[0]
    if host.count(":") == 1:
        host = host.partition(":")[0]
    return host.rstrip(".")


def is_loopback(host: str) -> bool:
    """Whether `host` (a name or an address to listen on) is reachable from this machine only."""
    name = host_name(host)
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False  # a name that may resolve anywhere


class AllowedHosts:
    """ASGI middleware: requests under `paths` whose Host is not allowed get 421; the others,
    and every other path, pass."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        service: str,
        hosts: Iterable[str] = (),
        paths: Sequence[str] = ("/",),
    ) -> None:
        self._app = app
        self._service = service
        self._hosts = LOOPBACK_NAMES | {host_name(host) for host in hosts}
        self._paths = tuple(paths)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket") or not self._guards(scope["path"]):
            await self._app(scope, receive, send)
            return
        host = Headers(scope=scope).get("host", "")
        if self._allows(host, scope):
            await self._app(scope, receive, send)
            return
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008})
            return
        shown = ", ".join(sorted(self._hosts - {ANY_HOST}))
        message = (
            f'{self._service} answers only to the host names it serves ({shown}), not to "{host}": '
            "add the name to SEGFLOW_ALLOWED_HOSTS if this server is meant to be reached by it"
        )
        body = orjson.dumps({"message": message})
        headers = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(body))]
        await send({"type": "http.response.start", "status": STATUS, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    def _guards(self, path: str) -> bool:
        return any(
            path == prefix.rstrip("/") or path.startswith(prefix.rstrip("/") + "/")
            for prefix in self._paths
        )

    def _allows(self, host: str, scope: Scope) -> bool:
        if ANY_HOST in self._hosts:
            return True
        name = host_name(host)
        local = scope.get("server")  # the address this connection came in on
        return name in self._hosts or (local is not None and name == str(local[0]).lower())
