"""The limits of `segflow.limits.Limits` as the HTTP API applies them, each refusal naming the
limit and its setting:

- `BodySizeLimit`, ASGI middleware over the whole app: a request body over
  SEGFLOW_MAX_REQUEST_BYTES (SEGFLOW_MAX_EDITOR_REQUEST_BYTES under /editor/api/) is refused
  with 413 while it is read, Content-Length or not, and before it is read when Content-Length
  says so.
- `ChatLimits`: the answer's length and the prefilled variables (413), checked by the routes.
- `NewChatLimit`: new chats per client IP per minute, a FastAPI dependency (429, Retry-After).
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import orjson
from fastapi import Request
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from segflow.api.errors import error_response
from segflow.limits import Limits

EDITOR_API = "/editor/api/"
WINDOW = 60.0  # seconds: new chats are counted per minute
# Clients whose new chats are remembered at once; beyond it the least recently seen is
# forgotten first (about 100 bytes each).
KEPT_CLIENTS = 10_000


def setting(name: str) -> str:
    """The environment variable of a limit: max_answer_length: SEGFLOW_MAX_ANSWER_LENGTH."""
    return f"SEGFLOW_{name.upper()}"


class RequestLimitError(HTTPException):
    """A request is over one of the limits (413); the message names it and its setting."""

    def __init__(self, what: str, size: str, limit: int, name: str) -> None:
        super().__init__(413, f"{what} is {size}; the limit is {limit:,} ({setting(name)})")


class TooManyChatsError(HTTPException):
    """A client started more chats this minute than SEGFLOW_NEW_CHATS_PER_MINUTE (429)."""

    def __init__(self, per_minute: int, retry_after: int) -> None:
        super().__init__(
            429,
            f"Too many new chats from your address: the limit is {per_minute:,} a minute "
            f"({setting('new_chats_per_minute')}); try again in {retry_after} s",
            headers={"Retry-After": str(retry_after)},
        )


class BodySizeLimit:
    """Refuses a request body over its limit (413), so that no large body is ever held in
    memory: at once when its Content-Length says so, else (sent chunked) once the bytes the
    app has read go over it."""

    def __init__(self, app: ASGIApp, limits: Limits) -> None:
        self._app = app
        self._limits = limits

    def limit_of(self, path: str) -> tuple[int, str]:
        """The limit a path's requests have, and its setting's name."""
        if path.startswith(EDITOR_API):  # flow imports and drafts are larger than chat turns
            return self._limits.max_editor_request_bytes, "max_editor_request_bytes"
        return self._limits.max_request_bytes, "max_request_bytes"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        limit, name = self.limit_of(scope["path"])
        headers = Headers(scope=scope)
        declared = _content_length(headers)
        if declared is not None and declared > limit:
            error = RequestLimitError("The request body", f"{declared:,} bytes", limit, name)
            await _refuse(error, scope, receive, send)
            return
        if declared is not None and "transfer-encoding" not in headers:
            # The server reads no byte past the length declared: nothing to count.
            await self._app(scope, receive, send)
            return
        received = 0
        started = False

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    # An HTTPException: FastAPI's routes pass it on to the app's error answers.
                    raise RequestLimitError(
                        "The request body", f"over {limit:,} bytes", limit, name
                    )
            return message

        async def watched(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self._app(scope, counted, watched)
        except RequestLimitError as error:
            if started:
                raise
            await _refuse(error, scope, receive, send)


async def _refuse(error: HTTPException, scope: Scope, receive: Receive, send: Send) -> None:
    await error_response(error.status_code, error.detail)(scope, receive, send)


def _content_length(headers: Headers) -> int | None:
    """The declared length; None when there is none (or it is no number: then the body is
    counted as it comes)."""
    value = headers.get("content-length", "")
    if not (value.isascii() and value.isdigit()):
        return None
    return int(value[:19])  # 19 digits: more than any limit, and no huge int to parse


class ChatLimits:
    """What a chat request may carry: the answer's length and the prefilled variables."""

    def __init__(self, limits: Limits) -> None:
        self._limits = limits

    def check_answer(self, answer: str | None, what: str = "The answer") -> None:
        """Raises RequestLimitError when `answer` is longer than SEGFLOW_MAX_ANSWER_LENGTH."""
        limit = self._limits.max_answer_length
        if answer is not None and len(answer) > limit:
            size = f"{len(answer):,} characters"
            raise RequestLimitError(what, size, limit, "max_answer_length")

    def check_prefilled(
        self, variables: Mapping[str, object], field: str = "prefilledVariables"
    ) -> None:
        """Raises RequestLimitError when there are more variables than SEGFLOW_MAX_VARIABLES,
        or one's value, as JSON, is over SEGFLOW_MAX_VARIABLE_BYTES."""
        count, most = len(variables), self._limits.max_variables
        if count > most:
            raise RequestLimitError(field, f"{count:,} variables", most, "max_variables")
        largest = self._limits.max_variable_bytes
        for name, value in variables.items():
            size = len(orjson.dumps(value))
            if size > largest:
                where = f"{field}.{name}"
                raise RequestLimitError(
                    where, f"{size:,} bytes as JSON", largest, "max_variable_bytes"
                )


@dataclass
class _Bucket:
    tokens: float
    updated: float


class NewChatLimit:
    """New chats per client IP, `per_minute` of them: a token bucket per client, which holds
    `per_minute` chats and refills one every 60/`per_minute` seconds. Counted by this process
    only; 0 for no limit.

    Use as a FastAPI dependency of the routes that start a chat:
    `dependencies=[Depends(new_chat_limit)]`.
    """

    def __init__(
        self,
        per_minute: int,
        *,
        clock: Callable[[], float] = time.monotonic,
        kept_clients: int = KEPT_CLIENTS,
    ) -> None:
        self.per_minute = per_minute
        self._clock = clock
        self._kept = kept_clients
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()  # least recently seen first
        self._lock = threading.Lock()

    async def __call__(self, request: Request) -> None:
        client = request.client.host if request.client else ""
        if (wait := self.wait(client)) > 0:
            raise TooManyChatsError(self.per_minute, max(1, math.ceil(wait)))

    def wait(self, client: str) -> float:
        """Takes one new chat for `client`: 0 if it may start it, or else the seconds until
        it may."""
        if self.per_minute <= 0:
            return 0.0
        rate = self.per_minute / WINDOW  # chats a second
        now = self._clock()
        with self._lock:
            self._forget_idle(now)
            bucket = self._buckets.pop(client, None) or _Bucket(self.per_minute, now)
            bucket.tokens = min(self.per_minute, bucket.tokens + (now - bucket.updated) * rate)
            bucket.updated = now
            self._buckets[client] = bucket
            if bucket.tokens >= 1:
                bucket.tokens -= 1
                return 0.0
            return (1 - bucket.tokens) / rate

    def _forget_idle(self, now: float) -> None:
        """A client idle for a minute has its bucket full again: forgetting it changes
        nothing. Past `kept_clients`, the least recently seen are forgotten anyway."""
        while self._buckets:
            oldest = next(iter(self._buckets.values()))
            if now - oldest.updated < WINDOW and len(self._buckets) < self._kept:
                break
            self._buckets.popitem(last=False)

    def __len__(self) -> int:
        return len(self._buckets)
