"""The collector's errors a person can act on."""

from __future__ import annotations

from segflow.errors import SegflowError


class CollectorError(SegflowError):
    """The collector cannot start, or cannot find what was asked of it."""
