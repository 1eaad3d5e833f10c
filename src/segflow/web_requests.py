"""HTTP requests of flows, sent for real: the `HttpClient` of chats, within the limits.

A chatbot builder (or a visitor filling in {{variables}}) chooses the address, so a request
must not become a way into the server's own network: every connection, redirects included,
goes to an address checked after DNS resolution (a name that resolves to 127.0.0.1 is
127.0.0.1), and private, loopback, link-local, multicast and reserved addresses are refused
unless the setting http_allowed_hosts allows them. The connection is made to the checked
address itself, so the name cannot resolve elsewhere in between; TLS still verifies the name.
"""

from __future__ import annotations

import ipaddress
import socket
import ssl
import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpcore
import httpx

from segflow.blocks.web import HttpRequest, HttpRequestError, HttpResponse
from segflow.limits import Limits
from segflow.turn_queue import step_aside

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
_NAT64 = ipaddress.ip_network("64:ff9b::/96")  # IPv4 addresses written as IPv6


class AddressRefusedError(Exception):
    """A connection segflow will not make; raised inside httpx, turned into HttpRequestError."""


class HostRules:
    """Which hosts requests may reach: public addresses, and those the setting allows."""

    def __init__(self, allowed: str, *, only_allowed: bool = False) -> None:
        self.only_allowed = only_allowed
        self._names: set[str] = set()
        self._suffixes: list[str] = []
        self._networks: list[ipaddress.IPv4Network | ipaddress.IPv6Network] = []
        for entry in filter(
            None, (part.strip().lower().rstrip(".") for part in allowed.split(","))
        ):
            entry = entry.strip("[]")
            try:
                self._networks.append(ipaddress.ip_network(entry, strict=False))
                continue
            except ValueError:
                pass
            if entry.startswith("*."):
                self._suffixes.append(entry[1:])
            else:
                self._names.add(entry)

    @classmethod
    def from_limits(cls, limits: Limits) -> HostRules:
        return cls(limits.http_allowed_hosts, only_allowed=limits.http_only_allowed_hosts)

    def check(self, host: str, address: IPAddress) -> None:
        """Raises AddressRefusedError unless `host`, resolved to `address`, may be reached."""
        name = host.lower().rstrip(".")
        if name in self._names or any(name.endswith(suffix) for suffix in self._suffixes):
            return
        if any(address in network for network in self._networks):
            return
        shown = host if host == str(address) else f"{host} ({address})"
        if self.only_allowed:
            raise AddressRefusedError(
                f"{shown} is not in the http_allowed_hosts setting (SEGFLOW_HTTP_ALLOWED_HOSTS), "
                "and http_only_allowed_hosts is on"
            )
        if not is_public(address):
            raise AddressRefusedError(
                f"{shown} is a private, loopback, link-local or reserved address; add it to "
                "SEGFLOW_HTTP_ALLOWED_HOSTS if flows may reach it"
            )


def is_public(address: IPAddress) -> bool:
    """Whether the address is on the public internet (not private, loopback, link-local,
    multicast or reserved), looking inside IPv6 forms of IPv4 addresses."""
    if isinstance(address, ipaddress.IPv6Address):
        inner = address.ipv4_mapped or address.sixtofour
        if inner is None and address in _NAT64:
            inner = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if inner is not None:
            return is_public(inner)
    return address.is_global and not address.is_multicast


class _CheckedNetwork(httpcore.SyncBackend):
    """Resolves each host itself, checks every address, and connects to a checked one."""

    def __init__(self, rules: HostRules, lookups: _NameLookups) -> None:
        self._rules = rules
        self._lookups = lookups

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        addresses = self._lookups.resolve(host, port, timeout)
        for address in addresses:  # one refused address refuses the name (no round-robin luck)
            self._rules.check(host, address)
        failure: httpcore.ConnectError | None = None
        for address in addresses:
            try:
                return super().connect_tcp(
                    str(address), port, timeout, local_address, socket_options
                )
            except httpcore.ConnectError as error:
                failure = error
        raise failure or httpcore.ConnectError(f"{host} has no address")


class _NameLookups:
    """Resolves names on a few threads of its own: getaddrinfo takes no timeout, so a slow
    DNS server would otherwise hold a chat turn as long as the system's resolver waits."""

    def __init__(self, workers: int = 8) -> None:
        self._threads = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="segflow-dns")

    def resolve(self, host: str, port: int, timeout: float | None) -> list[IPAddress]:
        try:
            return [ipaddress.ip_address(host.partition("%")[0])]  # an address: nothing to ask
        except ValueError:
            pass
        lookup = self._threads.submit(_resolve, host, port)
        try:
            return lookup.result(timeout=timeout)
        except TimeoutError:
            lookup.cancel()
            raise httpcore.ConnectTimeout(f"the name {host} took too long to resolve") from None


def _resolve(host: str, port: int) -> list[IPAddress]:
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise httpcore.ConnectError(f"the name {host} could not be resolved ({error})") from None
    addresses: list[IPAddress] = []
    for _family, _type, _proto, _name, sockaddr in found:
        address = ipaddress.ip_address(str(sockaddr[0]).partition("%")[0])
        if address not in addresses:
            addresses.append(address)
    return addresses


class _CheckedTransport(httpx.HTTPTransport):
    def __init__(self, network: _CheckedNetwork, ssl_context: ssl.SSLContext) -> None:
        super().__init__(verify=ssl_context, retries=0)
        # httpx takes no network backend of its own; its connection pool does.
        self._pool = httpcore.ConnectionPool(
            ssl_context=ssl_context, network_backend=network, retries=0
        )


class WebRequests:
    """The `HttpClient` real chats use: checked addresses, the limits' timeout, response size
    and redirects. Each request gets its own connections, so no state outlives it."""

    def __init__(self, limits: Limits) -> None:
        self._limits = limits
        self._ssl_context = httpx.create_ssl_context()  # loading the CA certificates is slow
        self._network = _CheckedNetwork(HostRules.from_limits(limits), _NameLookups())

    def send(self, request: HttpRequest) -> HttpResponse:
        timeout = min(request.timeout, self._limits.http_timeout_seconds)
        url = _checked_url(request.url)
        headers = _encoded(request.headers)
        started = time.monotonic()
        step_aside()  # the answer may take long: other chats' turns go on meanwhile
        client = httpx.Client(
            transport=_CheckedTransport(self._network, self._ssl_context),
            follow_redirects=True,
            max_redirects=self._limits.http_max_redirects,
            timeout=timeout,
            trust_env=False,  # a proxy from the environment would connect unchecked
            headers={"User-Agent": "segflow"},
        )
        try:
            with (
                client,
                client.stream(
                    request.method, url, headers=headers, content=request.body
                ) as response,
            ):
                body = self._read(response, started + timeout)
        except AddressRefusedError as error:
            raise HttpRequestError("refused", f"refused: {error}") from None
        except httpx.TimeoutException:
            raise HttpRequestError("timeout", f"no response within {timeout:g} seconds") from None
        except httpx.TooManyRedirects:
            limit = self._limits.http_max_redirects
            raise HttpRequestError(
                "network", f"more than {limit} redirects (SEGFLOW_HTTP_MAX_REDIRECTS)"
            ) from None
        except httpx.UnsupportedProtocol as error:
            raise HttpRequestError("refused", f"refused: {error} (only http and https)") from None
        except httpx.HTTPError as error:
            raise HttpRequestError("network", f"no response: {error}") from None
        return HttpResponse(
            status=response.status_code,
            body=body,
            seconds=time.monotonic() - started,
        )

    def _read(self, response: httpx.Response, deadline: float) -> bytes:
        cap = self._limits.http_max_response_bytes
        too_large = HttpRequestError(
            "too large",
            f"the response is larger than {cap:,} bytes (SEGFLOW_HTTP_MAX_RESPONSE_BYTES)",
        )
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > cap:
            raise too_large
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > cap:
                raise too_large
            if time.monotonic() > deadline:  # a server trickling its answer byte by byte
                raise httpx.ReadTimeout("the response took too long", request=response.request)
            chunks.append(chunk)
        return b"".join(chunks)


def _encoded(headers: tuple[tuple[str, str], ...]) -> list[tuple[bytes, bytes]]:
    """Header names in ASCII, as HTTP wants; values may hold any text, sent as UTF-8."""
    try:
        return [(key.encode("ascii"), value.encode()) for key, value in headers]
    except UnicodeEncodeError:
        names = ", ".join(f'"{key}"' for key, _ in headers if not key.isascii())
        raise HttpRequestError("invalid", f"the header names {names} are not ASCII") from None


def _checked_url(url: str) -> httpx.URL:
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL as error:
        raise HttpRequestError("refused", f'"{url}" is not a valid address ({error})') from None
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise HttpRequestError("refused", "only http:// and https:// addresses can be called")
    return parsed
