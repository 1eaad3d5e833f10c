"""What a block may ask of the web: one HTTP request and its response, through an `HttpClient`
the caller of the engine passes in (the engine itself never opens a connection)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

import orjson

from segflow.errors import SegflowError

FailureKind = Literal["unavailable", "invalid", "refused", "timeout", "network", "too large"]


@dataclass(frozen=True, slots=True)
class HttpRequest:
    """A request, filled in: nothing in it refers to variables any more."""

    method: str
    url: str
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes | None = None
    timeout: float = 10.0  # seconds; the client may allow less


@dataclass(frozen=True, slots=True)
class HttpResponse:
    """What came back: any status (a 404 or 500 is a response too), and its body."""

    status: int
    body: bytes = b""
    seconds: float = 0.0  # from sending the request to the end of the response

    def data(self) -> object:
        """The body as JSON (objects, lists, numbers... as they are) when it is JSON, else as
        text; "" when empty."""
        text = self.body.decode("utf-8", errors="replace")
        if not text.strip():
            return text
        try:
            return orjson.loads(self.body)
        except orjson.JSONDecodeError:
            return text


class HttpRequestError(SegflowError):
    """The request got no response: it could not be sent as filled in, segflow's settings
    refused it, it timed out, or the network failed. `kind` says which; the message says
    what happened."""

    def __init__(self, kind: FailureKind, message: str) -> None:
        self.kind = kind
        super().__init__(message)


class HttpClient(Protocol):
    """Sends one request and waits for its response (at most `request.timeout` seconds).

    Raises HttpRequestError when there is no response to give."""

    def send(self, request: HttpRequest) -> HttpResponse: ...


class NoHttp:
    """The client of a turn that was given none: every request is refused, so the engine run
    without one (in tests, in tools) never reaches the network."""

    def send(self, request: HttpRequest) -> HttpResponse:
        raise HttpRequestError("unavailable", "HTTP requests are not available here")


NO_HTTP = NoHttp()
