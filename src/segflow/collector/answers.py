"""What the collector answers: Segment's success, or a refusal that says why."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Answer:
    status: int
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)


SUCCESS = Answer(200, {"success": True})


class Refusal(Exception):
    """Raised while reading a request that must be answered with an error instead of accepted."""

    def __init__(self, status: int, message: str, **details: Any) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.details = details

    @property
    def answer(self) -> Answer:
        return Answer(self.status, {"success": False, "message": self.message, **self.details})
