"""A flow's problems located for the editor: the group, block and field each one is in.

The words are segflow's own (`parse_flow`'s, made by `segflow.flow.problems`); the editor adds
where each one is, so its form can show it beside the field.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from segflow.flow.problems import Level

Path = tuple[str | int, ...]


@dataclass(frozen=True)
class LocatedProblem:
    place: str  # 'Flow', 'Group "Email"', 'Group "Email" › block "identify" (Segment)'
    problem: str  # 'Email is required'
    group_id: str | None = None
    block_id: str | None = None
    field: Path = field(default=())  # in the block's options, e.g. ("traits", 0, "value")
    level: Level = "error"  # a warning does not keep the draft from being published

    @property
    def is_error(self) -> bool:
        return self.level == "error"

    def __str__(self) -> str:
        return f"{self.place}: {self.problem}"

    def as_json(self) -> dict[str, Any]:
        return {
            "place": self.place,
            "problem": self.problem,
            "message": str(self),
            "groupId": self.group_id,
            "blockId": self.block_id,
            "field": list(self.field),
            "level": self.level,
        }
