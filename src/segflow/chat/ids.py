"""A new chat's ID: a UUID whose first 48 bits are the time it started, in milliseconds.

Chats started close together sort together, so a turn's messages join the recent end of the
outbox's chat index (ix_outbox_chat_session_id) however long the delivered history behind it;
a random UUID would put them anywhere in it. The other 74 bits are random: an ID is still not
guessable from another one.
"""

from __future__ import annotations

import secrets
import time
import uuid


def new_chat_id() -> str:
    """A version 7 UUID (RFC 9562), as `str(uuid.UUID(...))` writes it."""
    milliseconds = time.time_ns() // 1_000_000
    random = secrets.randbits(74)
    value = (milliseconds & ((1 << 48) - 1)) << 80
    value |= 0x7 << 76  # version
    value |= (random >> 62) << 64  # 12 random bits
    value |= 0b10 << 62  # variant
    value |= random & ((1 << 62) - 1)  # 62 random bits
    return str(uuid.UUID(int=value))
