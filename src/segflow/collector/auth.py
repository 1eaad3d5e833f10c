"""Finding the Segment Write Key of a request, and checking it against the allowed keys."""

from __future__ import annotations

import base64
import binascii
import hmac
from collections.abc import Collection
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from segflow.collector.answers import ErrorCode, Refusal

AuthForm = Literal["basic", "body"]


@dataclass(frozen=True)
class WriteKey:
    """A request's write key; only its hint is ever stored, logged or answered."""

    value: str = field(repr=False)
    form: AuthForm
    # Basic credentials with a password may carry a key holding ':' (Jitsu's `keyId:secret`),
    # which Basic auth splits into user name and password: both, joined again.
    joined: str | None = field(default=None, repr=False)

    @property
    def hint(self) -> str | None:
        # Four characters of a short key would give away too much of it.
        return self.value[-4:] if len(self.value) >= 8 else None


def find_write_key(authorization: str | None, document: dict[str, Any]) -> WriteKey:
    """The key from HTTP Basic auth (user name, empty password), else from the body's writeKey."""
    if authorization:
        scheme, _, credentials = authorization.partition(" ")
        if scheme.lower() == "basic":
            return _basic_key(credentials.strip())
    in_body = document.get("writeKey")
    if isinstance(in_body, str) and in_body:
        return WriteKey(in_body, "body")
    raise Refusal(
        401,
        ErrorCode.NO_WRITE_KEY,
        "No write key: send it as the HTTP Basic user name (with an empty password) "
        "or as writeKey in the JSON body",
    )


def _basic_key(credentials: str) -> WriteKey:
    try:
        decoded = base64.b64decode(credentials, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        raise Refusal(
            401,
            ErrorCode.INVALID_AUTHORIZATION,
            "Authorization header is not valid HTTP Basic credentials",
        ) from None
    user, _, password = decoded.partition(":")
    if not user:
        raise Refusal(
            401,
            ErrorCode.NO_WRITE_KEY,
            "HTTP Basic credentials carry an empty write key (the user name)",
        )
    # `keyId:secret` sent as the user name with an empty password decodes as `keyId:secret:`.
    return WriteKey(user, "basic", decoded.removesuffix(":") if password else None)


def check_allowed(key: WriteKey, allowed: Collection[str]) -> WriteKey:
    """The key as one of `allowed` matched it. A key holding ':' matches Basic credentials
    `user:password` as well as a whole user name; with no allowed keys configured any key
    is accepted, as a local test endpoint should."""
    if not allowed:
        return key
    for candidate in allowed:
        sent = key.joined if key.joined is not None and ":" in candidate else key.value
        # Bytes: compare_digest takes only ASCII text, and a sender may send any.
        if hmac.compare_digest(sent.encode(), candidate.encode()):
            return replace(key, value=candidate, joined=None)
    raise Refusal(
        401, ErrorCode.WRITE_KEY_NOT_ALLOWED, "Write key is not one this collector accepts"
    )
