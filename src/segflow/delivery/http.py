"""Speaking HTTP to a Segment-compatible endpoint: auth, gzip, keep-alive, reading the answer."""

from __future__ import annotations

import base64
import gzip
import ipaddress
import logging
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx
import orjson

from segflow import __version__
from segflow.delivery.backoff import parse_retry_after

RETRYABLE_STATUSES = frozenset({408, 429}) | frozenset(range(500, 600)) - {501, 505}
# The account is misconfigured (wrong Write Key, wrong host): keep the messages and keep trying,
# so fixing the account delivers them.
ACCOUNT_STATUSES = frozenset({401, 403, 404})
# Followed with the same method and body; other redirects would turn the POST into a GET.
FOLLOWED_REDIRECTS = frozenset({307, 308})
MAX_REDIRECTS = 5
REDACTED = "[Write Key]"

log = logging.getLogger("segflow.delivery")


@dataclass(frozen=True, slots=True)
class Answer:
    status: int | None
    text: str
    retry_after: float | None = None
    location: str | None = None  # where a redirect that was not followed points

    @property
    def accepted(self) -> bool:
        """A 2xx: the request was taken, though its body may still refuse some messages."""
        return self.status is not None and 200 <= self.status < 300

    @property
    def retryable(self) -> bool:
        """Keep the messages and try later: the endpoint or account is at fault, not them."""
        return (
            self.status is None
            or self.status in RETRYABLE_STATUSES
            or self.status in ACCOUNT_STATUSES
            or 300 <= self.status < 400
        )

    def describe(self) -> str:
        if self.status is None:
            return f"network error: {self.text}"
        if 300 <= self.status < 400:
            where = self.location or "no Location given"
            return (
                f"HTTP {self.status}: the endpoint redirects to {where}; "
                "change the account's endpoint to the new address"
            )
        detail = self.text.strip()[:500]
        return f"HTTP {self.status}" + (f": {detail}" if detail else "")


@dataclass(frozen=True, slots=True)
class Refusal:
    """A 2xx answer whose body says messages were refused (Jitsu's `ok: false` and `errors`).

    `by_message` names the refused messages by message ID with each one's reason; when the
    body names none, the whole request counts as refused."""

    reason: str
    by_message: Mapping[str, str] = field(default_factory=dict)


def read_refusal(answer: Answer, message_ids: Sequence[str]) -> Refusal | None:
    """What a 2xx answer's body refuses, if anything. Bodies that are not JSON objects, and
    Segment's `{"success": true}`, refuse nothing."""
    if not answer.accepted:
        return None
    return _refusal(answer.text, message_ids)


def refused_in_error(answer: Answer, message_ids: Sequence[str]) -> Mapping[str, str]:
    """The messages an error answer (a 4xx) names as the refused ones, with each reason;
    empty when it names none, as Segment's own 400s do."""
    if answer.status is None or not 400 <= answer.status < 500:
        return {}
    refusal = _refusal(answer.text, message_ids)
    return refusal.by_message if refusal is not None else {}


def _refusal(text: str, message_ids: Sequence[str]) -> Refusal | None:
    try:
        body = orjson.loads(text)
    except orjson.JSONDecodeError:
        return None
    if not isinstance(body, dict):
        return None
    errors = body.get("errors")
    error_list = errors if isinstance(errors, list) else [errors] if errors else []
    said_no = (
        body.get("ok") is False
        or body.get("success") is False
        or str(body.get("status", "")).lower() in ("error", "failed", "fail")
        or bool(error_list)
        or bool(body.get("error"))
    )
    if not said_no:
        return None
    if body.get("error") and not error_list:
        error_list = [body["error"]]
    by_message: dict[str, str] = {}
    for error in error_list:
        for message_id in _named_messages(error, message_ids):
            by_message[message_id] = _error_text(error)
    if isinstance(body.get("messageIds"), list):
        for message_id in body["messageIds"]:
            if str(message_id) in message_ids and str(message_id) not in by_message:
                by_message[str(message_id)] = _error_text(body.get("message") or body)
    reason = "; ".join(_error_text(error) for error in error_list) or _error_text(body)
    return Refusal(reason=reason[:500], by_message=by_message)


def _named_messages(error: Any, message_ids: Sequence[str]) -> list[str]:
    """The batch's messages one error names: by message ID, by position, or in its text."""
    if isinstance(error, dict):
        for key in ("messageId", "message_id", "messageID", "id"):
            if str(error.get(key)) in message_ids:
                return [str(error[key])]
        for key in ("index", "eventIndex", "event_index", "position"):
            index = error.get(key)
            if isinstance(index, int) and 0 <= index < len(message_ids):
                return [message_ids[index]]
    text = _error_text(error)
    return [message_id for message_id in message_ids if message_id and message_id in text]


def _error_text(error: Any) -> str:
    if isinstance(error, str):
        return error
    if isinstance(error, dict):
        for key in ("error", "message", "reason", "msg", "description"):
            if isinstance(error.get(key), str):
                return str(error[key])
    return orjson.dumps(error).decode()


def redact(text: str, write_key: str) -> str:
    """The text with the Write Key, and its Basic-auth forms, replaced: endpoints echo them."""
    if not write_key:
        return text
    forms = {
        write_key,
        base64.b64encode(f"{write_key}:".encode()).decode(),
        base64.b64encode(write_key.encode()).decode(),
    }
    for form in sorted(forms, key=len, reverse=True):
        text = text.replace(form, REDACTED)
    return text


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
        headers = {"Authorization": f"Basic {token}", "Content-Type": "application/json"}
        content = body
        if not _loopback(self._url):
            # Across a network gzip saves about nine tenths of the bytes; to a collector on this
            # machine it would only cost CPU, on both ends.
            headers["Content-Encoding"] = "gzip"
            content = gzip.compress(body, compresslevel=self._compress_level)
        url = self._url
        try:
            for _ in range(MAX_REDIRECTS + 1):
                response = self._http().post(url, content=content, headers=headers)
                location = response.headers.get("Location")
                if response.status_code not in FOLLOWED_REDIRECTS or not location:
                    break
                target = urljoin(url, location)
                if not _safe_redirect(url, target):
                    break
                if response.status_code == 308 and url == self._url:
                    log.warning(
                        "%s moved permanently to %s; change the account's endpoint to it",
                        self.endpoint,
                        target,
                    )
                    self._url = target  # permanent: the next batches go straight there
                url = target
        except httpx.HTTPError as error:
            return Answer(status=None, text=redact(f"{type(error).__name__}: {error}", write_key))
        location = response.headers.get("Location")
        return Answer(
            status=response.status_code,
            text=redact(response.text, write_key),
            retry_after=parse_retry_after(response.headers.get("Retry-After")),
            location=urljoin(url, location) if location else None,
        )

    @property
    def url(self) -> str:
        """Where batches are posted; a permanent redirect followed once moves it."""
        return self._url

    def close(self) -> None:
        if self._client is not None and self._client_pid == os.getpid():
            self._client.close()


def _loopback(url: str) -> bool:
    """Whether the URL points at this machine (localhost, 127.0.0.0/8, ::1)."""
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _safe_redirect(origin: str, target: str) -> bool:
    """Same host (http may move to https), or another host over https; never from https
    down to http, which would send the Write Key in clear."""
    before, after = urlsplit(origin), urlsplit(target)
    if after.scheme not in ("http", "https") or not after.netloc:
        return False
    if before.scheme == "https" and after.scheme == "http":
        return False
    return before.hostname == after.hostname or after.scheme == "https"
