"""Speaking HTTP to a Segment-compatible endpoint: auth, gzip, keep-alive, reading the answer."""

from __future__ import annotations

import base64
import gzip
import os
from dataclasses import dataclass

import httpx

from segflow import __version__
from segflow.delivery.backoff import parse_retry_after

RETRYABLE_STATUSES = frozenset({408, 429}) | frozenset(range(500, 600)) - {501, 505}
# The account is misconfigured (wrong Write Key, wrong host): keep the messages and keep trying,
# so fixing the account delivers them.
ACCOUNT_STATUSES = frozenset({401, 403, 404})


@dataclass(frozen=True, slots=True)
class Answer:
    status: int | None
    text: str
    retry_after: float | None = None

    @property
    def delivered(self) -> bool:
        return self.status is not None and 200 <= self.status < 300

    @property
    def retryable(self) -> bool:
        return (
            self.status is None
            or self.status in RETRYABLE_STATUSES
            or self.status in ACCOUNT_STATUSES
        )

    def describe(self) -> str:
        if self.status is None:
            return f"network error: {self.text}"
        detail = self.text.strip()[:500]
        return f"HTTP {self.status}" + (f": {detail}" if detail else "")


class SegmentHTTP:
    """One keep-alive HTTP client for one endpoint; the transport can be swapped."""

    def __init__(
        self,
        endpoint: str,
        *,
        timeout: float = 15.0,
        transport: httpx.BaseTransport | None = None,
        compress_level: int = 1,
    ) -> None:
        self.endpoint = endpoint
        self._url = endpoint.rstrip("/") + "/v1/batch"
        self._compress_level = compress_level
        self._timeout = timeout
        self._transport = transport
        self._client: httpx.Client | None = None
        self._client_pid = 0

    def _http(self) -> httpx.Client:
        """The client of this process, made on first use: after a fork, the parent's
        connections (and its pool's lock) are not this process's to use."""
        if self._client is None or self._client_pid != os.getpid():
            self._client = httpx.Client(
                timeout=self._timeout,
                transport=self._transport,
                headers={"User-Agent": f"segflow/{__version__}"},
            )
            self._client_pid = os.getpid()
        return self._client

    def post_batch(self, body: bytes, write_key: str) -> Answer:
        token = base64.b64encode(f"{write_key}:".encode()).decode()
        headers = {
            "Authorization": f"Basic {token}",
            "Content-Type": "application/json",
            "Content-Encoding": "gzip",
        }
        try:
            response = self._http().post(
                self._url,
                content=gzip.compress(body, compresslevel=self._compress_level),
                headers=headers,
            )
        except httpx.HTTPError as error:
            return Answer(status=None, text=f"{type(error).__name__}: {error}")
        return Answer(
            status=response.status_code,
            text=response.text,
            retry_after=parse_retry_after(response.headers.get("Retry-After")),
        )

    def close(self) -> None:
        if self._client is not None and self._client_pid == os.getpid():
            self._client.close()
