"""Errors a person can act on: each message says what was wrong and where."""

from __future__ import annotations


class SegflowError(Exception):
    """Base of every error segflow reports to a user; its message is the whole explanation."""


class SegmentActionError(SegflowError):
    """A Segment action could not become a message: names the action and the field."""

    def __init__(self, action: str, field: str | None, problem: str) -> None:
        self.action = action
        self.field = field
        where = f"{action}: {field} " if field else f"{action}: "
        super().__init__(f"{where}{problem}")


class DestinationError(SegflowError):
    """A Segment account (destination) is missing or misconfigured."""


class SettingsError(SegflowError):
    """segflow's own configuration (database URL, secret key) is unusable."""
