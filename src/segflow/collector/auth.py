"""Finding the Segment Write Key of a request, and checking it against the allowed keys."""

from __future__ import annotations

import base64
import binascii
import hmac
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any, Literal

from segflow.collector.answers import Refusal

AuthForm = Literal["basic", "body"]


@dataclass(frozen=True)
class WriteKey:
    """A request's write key; only its hint is ever stored, logged or answered."""

    value: str = field(repr=False)
    form: AuthForm

    @property
    def hint(self) -> str | None:
        # Four characters of a short key would give away too much of it.
        return self.value[-4:] if len(self.value) >= 8 else None


def find_write_key(authorization: str | None, document: dict[str, Any]) -> WriteKey:
    """The key from HTTP Basic auth (user name, empty password), else from the body's writeKey."""
    if authorization:
        scheme, _, credentials = authorization.partition(" ")
        if scheme.lower() == "basic":
            return WriteKey(_basic_user(credentials.strip()), "basic")
    in_body = document.get("writeKey")
    if isinstance(in_body, str) and in_body:
        return WriteKey(in_body, "body")
    raise Refusal(
        401,
        "No write key: send it as the HTTP Basic user name (with an empty password) "
        "or as writeKey in the JSON body",
    )


def _basic_user(credentials: str) -> str:
    try:
        decoded = base64.b64decode(credentials, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        raise Refusal(401, "Authorization header is not valid HTTP Basic credentials") from None
    user, _, _password = decoded.partition(":")
    if not user:
        raise Refusal(401, "HTTP Basic credentials carry an empty write key (the user name)")
    return user


def check_allowed(key: WriteKey, allowed: Collection[str]) -> None:
    """With no allowed keys configured any key is accepted, as a local test endpoint should."""
    if allowed and not any(hmac.compare_digest(key.value, candidate) for candidate in allowed):
        raise Refusal(401, "Write key is not one this collector accepts")
